"""High availability for one instance: the shadow's link to its master, the master's watch over
its shadow, and the role changes between them (takeover, switch, relinquishing after a split).

One task runs for the app's lifetime (``run``). As a shadow it keeps the configuration in sync:
the whole of it first (INITSYNC), then every change, by asking the master for changes (each ask
is also the health check); when the master stays unreachable for the takeover delay, it takes
over. As a master it watches its shadow's checks, and when they stop it asks the shadow's address
whether it took over: then this instance relinquishes the master role (keeping its own
configuration in a safety backup) and becomes the shadow of the new master.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx

from openscc import __version__
from openscc.alerts.model import HA
from openscc.alerts.service import AlertService
from openscc.audit import AuditLog
from openscc.config import kinds
from openscc.connector_state import ha_role, update_connector
from openscc.errors import Conflict, InvalidRequest, NotAuthenticated, OpensccError
from openscc.ha import apply, pair, peer, protocol, settings
from openscc.ha.master import MasterSide
from openscc.ha.pair import Pair
from openscc.ha.peer import Timeouts, client, fingerprint, served_certificate
from openscc.ha.protocol import PREFIX, Position
from openscc.ha.settings import ShadowSettings
from openscc.ha.split import write_split_backup
from openscc.instance import Instance
from openscc.logsafe import shown
from openscc.runtime.wakeup import Wakeup
from openscc.runtime.workers import Workers
from openscc.store import journal
from openscc.store.thread import StoreThread

logger = logging.getLogger("openscc.ha")

INITIAL, DISCONNECTED, DISCONNECTING = "INITIAL", "DISCONNECTED", "DISCONNECTING"
HANDSHAKE, INITSYNC, READY, LOST = "HANDSHAKE", "INITSYNC", "READY", "LOST"
SHADOW_STATES = (INITIAL, DISCONNECTED, DISCONNECTING, HANDSHAKE, INITSYNC, READY, LOST)
CONNECTED_STATES = (HANDSHAKE, INITSYNC, READY, LOST)
_T = TypeVar("_T")
_LINK = "ha_link"  # instance table: "on" while the shadow should stay connected
_MAX_WAIT = 30  # seconds a request for changes may wait on the master
_IDLE_SECONDS = 30.0


class Unreachable(OpensccError):
    """The peer did not answer (connection refused, timeout, TLS failure)."""


class Resync(Exception):
    """The master cannot continue the shadow's history: the whole configuration again."""


class NoLongerFollowing(Exception):
    """A DISCONNECT or a role change came while a check was on its way: drop what it brought."""


class Unpaired(Exception):
    """The master no longer knows this shadow (it was reset, or another shadow bound)."""


@dataclass
class ShadowStatus:
    state: str = INITIAL
    message: str = ""
    master_version: str = ""


class HighAvailability:
    def __init__(
        self,
        instance: Instance,
        store_thread: StoreThread,
        workers: Workers,
        *,
        audit: AuditLog,
        alerts: AlertService,
        ui_port: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._instance = instance
        self._store_thread = store_thread
        self._audit = audit
        self._alerts = alerts
        self.ui_port = ui_port
        self._clock = clock
        self.master = MasterSide(clock)
        self.status = ShadowStatus()
        self._ever_ready = False
        self._lost_since: float | None = None
        self._asked_at_start = False
        self._workers = workers
        self._changes = Wakeup()  # a commit added changes: waiting shadows' requests
        self._wakeup = Wakeup()  # a CONNECT, a bind, a role change: the task looks again
        self._runner: object | None = None
        changes = instance.store.journal
        self._stop_listening = changes.listen(self._journal_committed) if changes else _nothing

    # In the store thread

    def _read(self) -> tuple[str | None, Pair | None, ShadowSettings, bool]:
        store = self._instance.store
        conn = store.connection
        linked = conn.execute("SELECT value FROM instance WHERE name = ?", (_LINK,)).fetchone()
        return (
            ha_role(store),
            pair.load(conn, self._instance.sealer),
            settings.shadow_settings(store),
            linked is not None and linked[0] == "on",
        )

    def _following(self, current: Pair) -> bool:
        """Still the connected shadow of this pair (a DISCONNECT or a role change ends it)."""
        role, now, _shadow, linked = self._read()
        return role == "shadow" and linked and now is not None and now.token == current.token

    def _apply_while_following(self, current: Pair, apply_them: Callable[[], _T]) -> _T:
        # One call in the store thread: a DISCONNECT is either before it (nothing applied) or
        # after it.
        if not self._following(current):
            raise NoLongerFollowing()
        return apply_them()

    def read_pair(self) -> Pair | None:
        return pair.load(self._instance.store.connection, self._instance.sealer)

    def position(self) -> Position:
        conn = self._instance.store.connection
        return Position(journal.generation(conn), journal.last_seq(conn))

    def _set_link(self, on: bool) -> None:
        store = self._instance.store
        with store.transaction():
            store.connection.execute(
                "INSERT INTO instance (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (_LINK, "on" if on else "off"),
            )

    def save_pair(self, value: Pair) -> None:
        store = self._instance.store
        with store.transaction():
            pair.save(store.connection, self._instance.sealer, value)

    def forget_pair(self) -> None:
        store = self._instance.store
        with store.transaction():
            pair.forget(store.connection)
            store.connection.execute("DELETE FROM instance WHERE name = ?", (_LINK,))

    async def authenticate_peer(self, authorization: str) -> Pair:
        """The pair, if ``authorization`` carries its token; else 401."""
        current = await self._store_thread.run(self.read_pair)
        presented = (
            authorization[len(protocol.BEARER) :]
            if authorization.startswith(protocol.BEARER)
            else ""
        )
        if current is None or not presented or not current.authenticates(presented):
            raise NotAuthenticated("not the high-availability peer of this instance")
        return current

    # Signals (thread-safe: commits come from the store thread)

    def _journal_committed(self) -> None:
        """In the store thread, after a commit that added changes: wake waiting requests."""
        self._changes.wake()

    def wake(self) -> None:
        """Wake the task (a CONNECT, a bind, a role change)."""
        self._wakeup.wake()

    def change_waiter(
        self,
    ) -> contextlib.AbstractAsyncContextManager[Callable[[float], Awaitable[bool]]]:
        """Armed for the next commit that adds changes: enter it before reading the journal's
        position, so a commit in between is not missed; it yields the sleep to await."""
        return self._changes.armed()

    # The task

    async def run(self) -> None:
        """Until cancelled; a second ``run`` (a second lifespan of the same app, in tests)
        takes over from the first."""
        token = object()
        self._runner = token
        while self._runner is token:
            try:
                role, current_pair, shadow, linked = await self._store_thread.run(self._read)
                if role == "shadow" and linked and current_pair is not None and shadow.configured:
                    await self._shadow_cycle(current_pair, shadow)
                    continue
                if role == "master" and current_pair is not None:
                    await self._master_cycle(current_pair)
                    seen = self.master.seen()
                    delay = float(min(5, seen.check_interval if seen else 5))
                else:
                    # Nothing to do until a CONNECT, a role change or a bind wakes the task.
                    delay = _IDLE_SECONDS
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("high availability: an unexpected error; trying again")
                delay = 5.0
            await self._sleep(delay)

    async def _sleep(self, seconds: float) -> None:
        await self._wakeup.sleep(seconds)

    def close(self) -> None:
        self._stop_listening()

    # The shadow

    def _timeouts(self, shadow: ShadowSettings) -> Timeouts:
        return Timeouts(shadow.connect_timeout_ms, shadow.request_timeout_ms)

    async def _shadow_cycle(self, current: Pair, shadow: ShadowSettings) -> None:
        """One check of the master: sync if needed, then wait for changes and apply them."""
        try:
            position = await self._store_thread.run(apply.applied, self._instance.store)
            if position is None:
                await self._initial_sync(current, shadow)
                position = await self._store_thread.run(apply.applied, self._instance.store)
                assert position is not None
            # Until the master has confirmed this position once, ask without waiting: READY at
            # once after a sync or a reconnect.
            await self._follow(current, shadow, position, wait=self.status.state == READY)
            if not await self._store_thread.run(self._following, current):
                return
            if self.status.state != READY:
                logger.info(
                    "high availability: in sync with the master; checking every %ss",
                    shadow.check_interval,
                )
            self.status = ShadowStatus(READY, "", self.status.master_version)
            self._ever_ready = True
            self._lost_since = None
        except NoLongerFollowing:
            return
        except Resync:
            await self._store_thread.run(apply.forget_position, self._instance.store)
        except Unpaired as error:
            self.status = ShadowStatus(DISCONNECTED, str(error), self.status.master_version)
            await self._store_thread.run(self._set_link, False)
        except (Unreachable, OpensccError) as error:
            await self._master_unreachable(current, shadow, str(error))

    async def _master_unreachable(self, current: Pair, shadow: ShadowSettings, reason: str) -> None:
        now = self._clock()
        if not self._ever_ready:
            # Never in sync in this run: no failover (the product's rule too), just retry.
            self.status = ShadowStatus(
                self.status.state if self.status.state != READY else LOST,
                reason,
                self.status.master_version,
            )
            await self._sleep(shadow.check_interval)
            return
        if self._lost_since is None:
            self._lost_since = now
            logger.warning("high availability: the master is unreachable (%s)", shown(reason))
        self.status = ShadowStatus(LOST, reason, self.status.master_version)
        if now - self._lost_since >= shadow.takeover_delay:
            await self.take_over(
                current,
                reason=f"the master was unreachable for {int(now - self._lost_since)} s: {reason}",
            )
            return
        await self._sleep(min(shadow.check_interval, max(0.2, shadow.takeover_delay)))

    async def _initial_sync(self, current: Pair, shadow: ShadowSettings) -> None:
        self.status = ShadowStatus(INITSYNC, "", self.status.master_version)
        folder = self._instance.data_dir / "tmp"
        folder.mkdir(mode=0o700, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="ha-sync-", suffix=".zip")
        path = Path(name)
        try:
            async with (
                self._client(current, shadow, longer_by=300) as http,
                http.stream("GET", f"{PREFIX}/snapshot") as response,
            ):
                await _raise_for(response)
                generation = response.headers[protocol.GENERATION_HEADER]
                seq = int(response.headers[protocol.SEQ_HEADER])
                with os.fdopen(fd, "wb") as out:
                    await peer.download(response, out, self._workers)
            count = await self._store_thread.run(
                self._apply_while_following,
                current,
                lambda: self._apply_snapshot_file(path, current.token, Position(generation, seq)),
            )
            logger.info(
                "high availability: received the master's configuration, %d entities", count
            )
        except httpx.HTTPError as error:
            raise Unreachable(_reason(error)) from None
        finally:
            await self._workers.run(path.unlink, missing_ok=True)

    def _apply_snapshot_file(self, path: Path, token: str, position: Position) -> int:
        with path.open("rb") as src:
            return apply.apply_snapshot(
                self._instance.store, protocol.read_snapshot(src, token), position
            )

    async def _follow(
        self, current: Pair, shadow: ShadowSettings, position: Position, *, wait: bool = True
    ) -> None:
        """Ask for the changes after ``position`` (waiting up to one check interval for one,
        with ``wait``) and apply them."""
        seconds = min(shadow.check_interval, _MAX_WAIT) if wait else 0
        params: dict[str, str | int] = {
            "generation": position.generation,
            "after": position.seq,
            "wait": seconds,
            "instance": self._instance.instance_id,
            "host": shadow.own_host or socket.getfqdn(),
            "interval": shadow.check_interval,
            "delay": shadow.takeover_delay,
        }
        try:
            async with (
                self._client(current, shadow, longer_by=seconds) as http,
                http.stream("GET", f"{PREFIX}/changes", params=params) as response,
            ):
                if response.status_code == 410:
                    raise Resync()
                await _raise_for(response)
                answer = await peer.read_json(response, self._workers)
        except httpx.HTTPError as error:
            raise Unreachable(_reason(error)) from None
        if not isinstance(answer, dict) or not isinstance(answer.get("changes"), list):
            raise OpensccError("the master's answer is not a page of changes")
        self.status.master_version = str(answer.get("version", ""))
        sealer = protocol.pair_sealer(current.token)
        changes = await self._workers.run(
            lambda: [protocol.decode_change(c, sealer) for c in answer["changes"]]
        )
        if answer.get("masterCertificate"):
            announced = str(answer["masterCertificate"])
            if announced not in current.peer_certificates:
                await self._store_thread.run(self.save_pair, current.with_certificate(announced))
        if changes:
            reached = Position(answer["generation"], changes[-1].seq)
            await self._store_thread.run(
                self._apply_while_following,
                current,
                lambda: apply.apply_changes(self._instance.store, changes, reached),
            )

    def _client(
        self, current: Pair, shadow: ShadowSettings, *, longer_by: float = 0
    ) -> httpx.AsyncClient:
        http = client(
            shadow.master_host,
            shadow.master_port,
            current.peer_certificates,
            self._timeouts(shadow),
            current.token,
        )
        http.timeout = self._timeouts(shadow).httpx(longer_by=longer_by)
        return http

    # Connecting, disconnecting (the shadow's API)

    async def connect(
        self, shadow: ShadowSettings, user: str | None, password: str | None, ca_pem: str | None
    ) -> None:
        """CONNECT: with user and password, bind to the master as a new pair; without, bind the
        known pair again."""
        if not shadow.configured:
            raise InvalidRequest(
                "masterHost and masterPort must be set first (PUT ha/shadow/config)"
            )
        current = await self._store_thread.run(self.read_pair)
        own_certificate = await self._store_thread.run(self._own_certificate)
        own_host = shadow.own_host or socket.getfqdn()
        body = {
            "instance": self._instance.instance_id,
            "host": own_host,
            "port": shadow.ha_port or self.ui_port,
            "certificate": own_certificate,
            "version": __version__,
            "interval": shadow.check_interval,
            "delay": shadow.takeover_delay,
        }
        self.status = ShadowStatus(HANDSHAKE, "", self.status.master_version)
        timeouts = self._timeouts(shadow)
        try:
            if user:
                if password is None:
                    raise InvalidRequest("password is required with user")
                pinned = (ca_pem,) if ca_pem else ()
                async with (
                    client(shadow.master_host, shadow.master_port, pinned, timeouts) as http,
                    http.stream(
                        "POST", f"{PREFIX}/bind", json=body, auth=(user, password)
                    ) as response,
                ):
                    if response.status_code == 401:
                        raise InvalidRequest("the master refused the user or password")
                    await _raise_for(response)
                    answer = await peer.read_json(response, self._workers)
                master_certificate = str(answer["certificate"])
                current = Pair(
                    token=str(answer["token"]),
                    peer_instance=str(answer["instance"]),
                    peer_host=shadow.master_host,
                    peer_port=shadow.master_port,
                    peer_certificates=(master_certificate,),
                )
            else:
                if current is None:
                    raise InvalidRequest(
                        "user and password are required for the first connection to a master"
                    )
                async with self._client(current, shadow) as http:
                    response = await http.post(f"{PREFIX}/rebind", json=body)
                if response.status_code == 401:
                    raise Conflict(
                        "the master no longer knows this shadow: reset it and connect "
                        "with a user and password"
                    )
                await _raise_for(response)

        except httpx.HTTPError as error:
            self.status = ShadowStatus(DISCONNECTED, _reason(error), self.status.master_version)
            hint = await self._workers.run(_unverified_hint, shadow, error, timeouts)
            raise OpensccError(hint) from None
        except OpensccError as error:
            self.status = ShadowStatus(DISCONNECTED, error.message, self.status.master_version)
            raise
        await self._store_thread.run(self._bound_as_shadow, current)
        self._ever_ready = False
        self._lost_since = None
        self.status = ShadowStatus(INITSYNC, "", self.status.master_version)
        self._audit.record(
            "ha.connected", actor=None, master=f"{shadow.master_host}:{shadow.master_port}"
        )
        self.wake()

    def _bound_as_shadow(self, current: Pair) -> None:
        store = self._instance.store
        with store.transaction():
            pair.save(store.connection, self._instance.sealer, current)
            store.connection.execute(
                "INSERT INTO instance (name, value) VALUES (?, 'on') "
                "ON CONFLICT (name) DO UPDATE SET value = 'on'",
                (_LINK,),
            )
            # A new pair's master: its whole configuration first.
            store.connection.execute("DELETE FROM instance WHERE name = 'ha_applied'")

    def _own_certificate(self) -> str:
        record = self._instance.store.get("uiCertificate", "connector")
        assert record is not None
        return str(record.body["certificatePem"])

    async def disconnect(self, shadow: ShadowSettings) -> None:
        self.status = ShadowStatus(DISCONNECTING, "", self.status.master_version)
        await self._store_thread.run(self._set_link, False)
        current = await self._store_thread.run(self.read_pair)
        if current is not None and shadow.configured:
            try:
                async with self._client(current, shadow) as http:
                    await http.post(
                        f"{PREFIX}/unbind", json={"instance": self._instance.instance_id}
                    )
            except httpx.HTTPError as error:
                logger.info(
                    "high availability: the master was not told of the disconnect (%s)",
                    shown(_reason(error)),
                )
        self.status = ShadowStatus(DISCONNECTED, "", self.status.master_version)
        self._audit.record("ha.disconnected", actor=None)

    # Role changes

    async def take_over(self, current: Pair, *, reason: str) -> None:
        """This shadow becomes the master (failover, or a switch the master asked for)."""
        await self._store_thread.run(self._become_master, current)
        self.status = ShadowStatus(INITIAL, "", self.status.master_version)
        self._ever_ready = False
        self._lost_since = None
        logger.warning("high availability: took over the master role (%s)", shown(reason))
        self._audit.record(
            "ha.took_over", actor=None, reason=reason, former_master=current.peer_instance
        )
        self._alerts.raise_alert(
            HA,
            f"This instance took over the master role: {reason}",
            entity="takeover",
            status="Warning",
        )

    def _become_master(self, current: Pair) -> None:
        store = self._instance.store
        with store.transaction():
            update_connector(store, haRole="master")
            ha_master = settings.master_settings(store)
            settings.save_master(
                store,
                settings.MasterSettings(
                    ha_enabled=True,
                    ha_port=ha_master.ha_port,
                    allowed_shadow_host=ha_master.allowed_shadow_host,
                ),
            )
            journal.new_generation(store.connection)
            pair.save(
                store.connection,
                self._instance.sealer,
                replace(current, took_over_from=current.peer_instance),
            )
            store.connection.execute("DELETE FROM instance WHERE name = ?", (_LINK,))
            store.connection.execute("DELETE FROM instance WHERE name = 'ha_applied'")
        self.master.unbound()

    async def become_shadow(self, current: Pair, *, reason: str, keep_backup: bool) -> str | None:
        """This master becomes the shadow of its peer (a switch, or relinquishing after a split:
        then its configuration is first kept in a safety backup, whose name it returns)."""
        backup = None
        if keep_backup:
            backup = await self._workers.run(write_split_backup, self._instance)
        await self._store_thread.run(self._become_shadow, current)
        self.master.unbound()
        self._ever_ready = False
        self._lost_since = None
        self.status = ShadowStatus(HANDSHAKE, "", self.status.master_version)
        self._audit.record(
            "ha.became_shadow",
            actor=None,
            reason=reason,
            new_master=current.peer_instance,
            safety_backup=backup or "",
        )
        self.wake()
        return backup

    def _become_shadow(self, current: Pair) -> None:
        store = self._instance.store
        with store.transaction():
            update_connector(store, haRole="shadow")
            own = settings.shadow_settings(store)
            # Checking as the pair's shadow did, unless this instance has settings of its own.
            configured = store.exists(kinds.HA_SHADOW_CONFIG, kinds.SINGLETON_KEY)
            settings.save_shadow(
                store,
                ShadowSettings(
                    master_host=current.peer_host,
                    master_port=current.peer_port,
                    own_host=own.own_host,
                    ha_port=own.ha_port,
                    check_interval=own.check_interval if configured else current.check_interval,
                    takeover_delay=own.takeover_delay if configured else current.takeover_delay,
                    connect_timeout_ms=own.connect_timeout_ms,
                    request_timeout_ms=own.request_timeout_ms,
                ),
            )
            pair.save(store.connection, self._instance.sealer, replace(current, took_over_from=""))
            store.connection.execute(
                "INSERT INTO instance (name, value) VALUES (?, 'on') "
                "ON CONFLICT (name) DO UPDATE SET value = 'on'",
                (_LINK,),
            )
            store.connection.execute("DELETE FROM instance WHERE name = 'ha_applied'")

    async def shadow_connected(self) -> bool:
        def read() -> tuple[bool, Position]:
            return self.read_pair() is not None, self.position()

        paired, position = await self._store_thread.run(read)
        state, _host = self.master.state(paired, position.generation, position.seq)
        return state == "CONNECTED"

    async def switch(self, *, force: bool) -> None:
        """SWITCH: the connected shadow takes over, then this master becomes its shadow.
        FORCE_SWITCH: become the shadow even if the shadow does not answer."""
        current = await self._store_thread.run(self.read_pair)
        seen = self.master.seen()
        if current is None or (seen is None and not force):
            raise Conflict("no shadow is connected to switch roles with")
        timeouts = Timeouts(1000, 12000)
        self.master.switching = True
        try:
            try:
                await self._hand_over(current, timeouts)
            except (Conflict, Unreachable, httpx.HTTPError, OpensccError) as error:
                if not force:
                    raise Conflict(f"the shadow did not take over: {_reason(error)}") from None
                logger.warning(
                    "high availability: forcing the switch; the shadow did not take over (%s)",
                    shown(_reason(error)),
                )
            await self.become_shadow(current, reason="a role switch", keep_backup=False)
        finally:
            self.master.switching = False

    async def _hand_over(self, current: Pair, timeouts: Timeouts) -> None:
        deadline = self._clock() + timeouts.request_ms / 1000
        while True:
            position = await self._store_thread.run(self.position)
            if self.master.in_sync(position.generation, position.seq):
                break
            if self._clock() > deadline:
                raise Conflict("the shadow is not in sync with the master")
            await asyncio.sleep(0.05)
        try:
            async with client(
                current.peer_host,
                current.peer_port,
                current.peer_certificates,
                timeouts,
                current.token,
            ) as http:
                response = await http.post(
                    f"{PREFIX}/takeover",
                    json={"generation": position.generation, "seq": position.seq},
                )
        except httpx.HTTPError as error:
            raise Unreachable(_reason(error)) from None
        await _raise_for(response)

    # The master

    async def _master_cycle(self, current: Pair) -> None:
        if not self._asked_at_start:
            # After a restart, first ask whether the shadow took over meanwhile (the product's
            # rule): then this instance rejoins as the shadow of the new master.
            self._asked_at_start = True
            await self._ask_peer(current)
            return
        if self.master.is_released:
            return  # the shadow disconnected on purpose: it is not lost
        seen = self.master.seen()
        interval = seen.check_interval if seen else 30
        if self.master.is_lost(True, interval):
            self._alerts.raise_alert(
                HA,
                "The shadow instance stopped checking in: it is lost",
                entity="shadow",
                status="Warning",
            )
            await self._ask_peer(current)
        else:
            self._alerts.resolve_alert(
                HA, "The shadow instance is connected again", entity="shadow"
            )
            if seen is not None and seen.position is not None:
                await self._store_thread.run(self._prune, seen.position)

    def _prune(self, acked: Position) -> None:
        store = self._instance.store
        with store.transaction():
            if journal.generation(store.connection) == acked.generation:
                journal.prune(store.connection, before=acked.seq)

    async def _ask_peer(self, current: Pair) -> None:
        """Ask the lost shadow's address whether it took over the master role from this
        instance: then relinquish (the side that took over wins)."""
        timeouts = Timeouts(1000, 5000)
        try:
            async with (
                client(
                    current.peer_host,
                    current.peer_port,
                    current.peer_certificates,
                    timeouts,
                    current.token,
                ) as http,
                http.stream("GET", f"{PREFIX}/peer") as response,
            ):
                if response.status_code != 200:
                    return
                answer = await peer.read_json(response, self._workers, 64 * 1024)
        except (httpx.HTTPError, OpensccError):
            return
        if not isinstance(answer, dict):
            return
        if answer.get("role") == "master" and answer.get("tookOverFrom") == (
            self._instance.instance_id
        ):
            logger.warning(
                "high availability: the shadow took over the master role; this "
                "instance becomes its shadow"
            )
            await self.become_shadow(
                current,
                reason="the shadow took over the master role (after a failover or a network split)",
                keep_backup=True,
            )

    # Reports

    def shadow_view(self, own_hosts: list[str]) -> dict[str, Any]:
        view: dict[str, Any] = {"state": self.status.state, "ownHosts": own_hosts}
        if self.status.message:
            view["stateMessage"] = self.status.message
        if self.status.master_version:
            view["masterVersions"] = {
                "openscc": self.status.master_version,
                "ok": _compatible(self.status.master_version, __version__),
            }
        return view


def _compatible(master: str, own: str) -> bool:
    return master.split(".")[:2] == own.split(".")[:2]


async def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    text = (await peer.read_bounded(response, 64 * 1024)).decode("utf-8", "replace")
    try:
        message = str(json.loads(text).get("message", ""))
    except (ValueError, AttributeError):
        message = text[:200]
    if response.status_code == 401:
        raise Unpaired(f"the master refused this shadow's credential: {message}")
    if response.status_code == 410:
        raise Resync()
    if response.status_code == 409:
        raise Conflict(f"the master answered: {message}")
    if response.status_code == 400:
        raise InvalidRequest(f"the master answered: {message}")
    raise Unreachable(f"the master answered {response.status_code}: {message}")


def _reason(error: Exception) -> str:
    if isinstance(error, OpensccError):
        return error.message
    text = str(error) or type(error).__name__
    return text[:300]


def _unverified_hint(shadow: ShadowSettings, error: httpx.HTTPError, timeouts: Timeouts) -> str:
    reason = _reason(error)
    if "CERTIFICATE_VERIFY_FAILED" not in reason and "certificate verify failed" not in reason:
        return (
            f"the master at {shadow.master_host}:{shadow.master_port} cannot be reached: {reason}"
        )
    pem = served_certificate(shadow.master_host, shadow.master_port, timeouts.connect_ms / 1000)
    seen = (
        f" (it presents a certificate with SHA-256 fingerprint {fingerprint(pem)})" if pem else ""
    )
    return (
        f"the master's certificate at {shadow.master_host}:{shadow.master_port} is not trusted"
        f"{seen}: give the master's UI certificate as masterCertificate with CONNECT, after "
        "checking its fingerprint on the master"
    )


def _nothing() -> None:
    return None

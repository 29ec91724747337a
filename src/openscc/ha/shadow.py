"""The shadow's side: its link to the master, and CONNECT and DISCONNECT.

Each cycle is one check of the master: the whole configuration first (INITSYNC), then the
changes after the position applied, waiting on the master for the next one (each ask is also
the health check); READY once the master confirmed the position. When the master stays
unreachable for the takeover delay after the shadow was in sync once in this run, the shadow
takes over (``take_over``, given by the coordinator).
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from openscc import __version__
from openscc.errors import OpensccError
from openscc.ha import apply, peer, protocol, state
from openscc.ha.context import HaContext
from openscc.ha.pair import Pair
from openscc.ha.peer import (
    Resync,
    Timeouts,
    Unpaired,
    Unreachable,
    client,
    raise_for_answer,
    reason_of,
)
from openscc.ha.protocol import PREFIX, Position
from openscc.ha.settings import ShadowSettings
from openscc.logsafe import shown

logger = logging.getLogger("openscc.ha")

INITIAL, DISCONNECTED, DISCONNECTING = "INITIAL", "DISCONNECTED", "DISCONNECTING"
HANDSHAKE, INITSYNC, READY, LOST = "HANDSHAKE", "INITSYNC", "READY", "LOST"
SHADOW_STATES = (INITIAL, DISCONNECTED, DISCONNECTING, HANDSHAKE, INITSYNC, READY, LOST)
CONNECTED_STATES = (HANDSHAKE, INITSYNC, READY, LOST)
_MAX_WAIT = 30  # seconds a request for changes may wait on the master
_T = TypeVar("_T")
TakeOver = Callable[[Pair, str], Awaitable[None]]


class NoLongerFollowing(Exception):
    """A DISCONNECT or a role change came while a check was on its way: drop what it brought."""


@dataclass
class ShadowStatus:
    state: str = INITIAL
    message: str = ""
    master_version: str = ""


class ShadowLink:
    def __init__(self, ctx: HaContext, take_over: TakeOver) -> None:
        self._ctx = ctx
        self._take_over = take_over
        self.status = ShadowStatus()
        self._ever_ready = False  # in sync once in this run: only then may it take over
        self._lost_since: float | None = None

    def reset(self, new_state: str) -> None:
        """After a change of role or pair: a new link, in ``new_state``."""
        self.status = ShadowStatus(new_state, "", self.status.master_version)
        self._ever_ready = False
        self._lost_since = None

    # One check of the master

    async def cycle(self, current: Pair, shadow: ShadowSettings) -> None:
        """Sync if needed, then wait for changes and apply them."""
        ctx = self._ctx
        try:
            position = await ctx.store_thread.run(apply.applied, ctx.instance.store)
            if position is None:
                await self._initial_sync(current, shadow)
                position = await ctx.store_thread.run(apply.applied, ctx.instance.store)
                assert position is not None
            # Until the master has confirmed this position once, ask without waiting: READY at
            # once after a sync or a reconnect.
            await self._follow(current, shadow, position, wait=self.status.state == READY)
            if not await ctx.store_thread.run(state.following, ctx.instance, current):
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
            await ctx.store_thread.run(apply.forget_position, ctx.instance.store)
        except Unpaired as error:
            self.status = ShadowStatus(DISCONNECTED, str(error), self.status.master_version)
            await ctx.store_thread.run(state.set_link, ctx.instance, False)
        except (Unreachable, OpensccError) as error:
            await self._master_unreachable(current, shadow, str(error))

    async def _master_unreachable(self, current: Pair, shadow: ShadowSettings, reason: str) -> None:
        now = self._ctx.clock()
        if not self._ever_ready:
            # Never in sync in this run: no failover (the product's rule too), just retry.
            was = self.status.state
            self.status = ShadowStatus(
                was if was != READY else LOST, reason, self.status.master_version
            )
            await self._ctx.wakeup.sleep(shadow.check_interval)
            return
        if self._lost_since is None:
            self._lost_since = now
            logger.warning("high availability: the master is unreachable (%s)", shown(reason))
        self.status = ShadowStatus(LOST, reason, self.status.master_version)
        lost_for = now - self._lost_since
        if lost_for >= shadow.takeover_delay:
            await self._take_over(
                current, f"the master was unreachable for {int(lost_for)} s: {reason}"
            )
            return
        await self._ctx.wakeup.sleep(min(shadow.check_interval, max(0.2, shadow.takeover_delay)))

    async def _initial_sync(self, current: Pair, shadow: ShadowSettings) -> None:
        ctx = self._ctx
        self.status = ShadowStatus(INITSYNC, "", self.status.master_version)
        folder = ctx.instance.layout.tmp
        folder.mkdir(mode=0o700, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="ha-sync-", suffix=".zip")
        path = Path(name)
        try:
            async with (
                self.client(current, shadow, longer_by=300) as http,
                http.stream("GET", f"{PREFIX}/snapshot") as response,
            ):
                await raise_for_answer(response)
                generation = response.headers[protocol.GENERATION_HEADER]
                seq = int(response.headers[protocol.SEQ_HEADER])
                with os.fdopen(fd, "wb") as out:
                    await peer.download(response, out, ctx.workers)
            count = await ctx.store_thread.run(
                self._apply_while_following,
                current,
                lambda: self._apply_snapshot_file(path, current.token, Position(generation, seq)),
            )
            logger.info(
                "high availability: received the master's configuration, %d entities", count
            )
        except httpx.HTTPError as error:
            raise Unreachable(reason_of(error)) from None
        finally:
            await ctx.workers.run(path.unlink, missing_ok=True)

    def _apply_snapshot_file(self, path: Path, token: str, position: Position) -> int:
        with path.open("rb") as src:
            return apply.apply_snapshot(
                self._ctx.instance.store, protocol.read_snapshot(src, token), position
            )

    def _apply_while_following(self, current: Pair, apply_them: Callable[[], _T]) -> _T:
        # One call in the store thread: a DISCONNECT is either before it (nothing applied) or
        # after it.
        if not state.following(self._ctx.instance, current):
            raise NoLongerFollowing()
        return apply_them()

    async def _follow(
        self, current: Pair, shadow: ShadowSettings, position: Position, *, wait: bool = True
    ) -> None:
        """Ask for the changes after ``position`` (waiting up to one check interval for one,
        with ``wait``) and apply them."""
        ctx = self._ctx
        seconds = min(shadow.check_interval, _MAX_WAIT) if wait else 0
        params: dict[str, str | int] = {
            "generation": position.generation,
            "after": position.seq,
            "wait": seconds,
            "instance": ctx.instance.instance_id,
            "host": shadow.own_host or socket.getfqdn(),
            "interval": shadow.check_interval,
            "delay": shadow.takeover_delay,
        }
        try:
            async with (
                self.client(current, shadow, longer_by=seconds) as http,
                http.stream("GET", f"{PREFIX}/changes", params=params) as response,
            ):
                if response.status_code == 410:
                    raise Resync()
                await raise_for_answer(response)
                answer = await peer.read_json(response, ctx.workers)
        except httpx.HTTPError as error:
            raise Unreachable(reason_of(error)) from None
        if not isinstance(answer, dict) or not isinstance(answer.get("changes"), list):
            raise OpensccError("the master's answer is not a page of changes")
        self.status.master_version = str(answer.get("version", ""))
        sealer = protocol.pair_sealer(current.token)
        changes = await ctx.workers.run(
            lambda: [protocol.decode_change(c, sealer) for c in answer["changes"]]
        )
        if answer.get("masterCertificate"):
            announced = str(answer["masterCertificate"])
            if announced not in current.peer_certificates:
                await ctx.store_thread.run(
                    state.save_pair, ctx.instance, current.with_certificate(announced)
                )
        if changes:
            reached = Position(answer["generation"], changes[-1].seq)
            await ctx.store_thread.run(
                self._apply_while_following,
                current,
                lambda: apply.apply_changes(ctx.instance.store, changes, reached),
            )

    def client(
        self, current: Pair, shadow: ShadowSettings, *, longer_by: float = 0
    ) -> httpx.AsyncClient:
        timeouts = Timeouts(shadow.connect_timeout_ms, shadow.request_timeout_ms)
        http = client(
            shadow.master_host, shadow.master_port, current.peer_certificates, timeouts,
            current.token,
        )  # fmt: skip
        http.timeout = timeouts.httpx(longer_by=longer_by)
        return http

    def view(self, own_hosts: list[str], master_fingerprint: str = "") -> dict[str, Any]:
        """The shadow's state as GET .../ha/shadow/state shows it, with the SHA-256 fingerprint
        of the master certificate this shadow trusts (pinned at its first CONNECT)."""
        view: dict[str, Any] = {"state": self.status.state, "ownHosts": own_hosts}
        if master_fingerprint:
            view["masterCertificateFingerprint"] = master_fingerprint
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

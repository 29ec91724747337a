"""High availability for one instance: the task that runs for the app's lifetime, and what the
HTTP layer asks of it.

As a shadow the task keeps the link to its master (openscc.ha.shadow); as a master it watches its
shadow (openscc.ha.master); role changes are openscc.ha.roles; what the store holds of it all is
openscc.ha.state. This class only puts them together: it reads the role, runs the side's cycle,
and sleeps until the next one or a wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from openscc.alerts.service import AlertService
from openscc.audit import AuditLog
from openscc.background.wakeup import Wakeup
from openscc.background.workers import Workers
from openscc.errors import NotAuthenticated
from openscc.ha import connecting, master, protocol, roles
from openscc.ha.checks import CONNECTED, MasterSide
from openscc.ha.context import HaContext
from openscc.ha.pair import Pair
from openscc.ha.settings import ShadowSettings
from openscc.ha.shadow import ShadowLink, ShadowStatus
from openscc.instance import Instance
from openscc.store.thread import StoreThread

logger = logging.getLogger("openscc.ha")
_IDLE_SECONDS = 30.0  # with nothing to do, until a CONNECT, a bind or a role change wakes it


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
        looked: Callable[[], None] = lambda: None,
    ) -> None:
        self.context = HaContext(
            instance=instance, store_thread=store_thread, workers=workers, audit=audit,
            alerts=alerts, ui_port=ui_port, clock=clock,
        )  # fmt: skip
        self.link = ShadowLink(self.context, self.take_over)
        self.context.role_changed = self.link.reset
        # A commit that added changes wakes the shadows' requests waiting for one.
        self._changes = Wakeup()
        journal = instance.store.journal
        self._stop_listening = journal.listen(self._changes.wake) if journal else _nothing
        self._asked_at_start = False
        self._runner: object | None = None
        self._looked = looked  # each pass of the loop over the pair's state (a metric)

    @property
    def master(self) -> MasterSide:
        return self.context.master

    @property
    def status(self) -> ShadowStatus:
        return self.link.status

    @property
    def ui_port(self) -> int:
        return self.context.ui_port

    # The task

    async def run(self) -> None:
        """Until cancelled; a second ``run`` (a second lifespan of the same app, in tests)
        takes over from the first."""
        token = object()
        self._runner = token
        while self._runner is token:
            try:
                now = await self.context.state()
                if now.shadow_to_follow:
                    assert now.pair is not None
                    await self.link.cycle(now.pair, now.shadow)
                    continue
                if now.role == "master" and now.pair is not None:
                    first, self._asked_at_start = not self._asked_at_start, True
                    await master.watch(self.context, now.pair, first=first)
                    seen = self.master.seen()
                    delay = float(min(5, seen.check_interval if seen else 5))
                else:
                    delay = _IDLE_SECONDS
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("high availability: an unexpected error; trying again")
                delay = 5.0
            self._looked()
            await self.context.wakeup.sleep(delay)

    def wake(self) -> None:
        """Wake the task (a CONNECT, a bind, a role change)."""
        self.context.wakeup.wake()

    def change_waiter(
        self,
    ) -> contextlib.AbstractAsyncContextManager[Callable[[float], Awaitable[bool]]]:
        """Armed for the next commit that adds changes: enter it before reading the journal's
        position, so a commit in between is not missed; it yields the sleep to await."""
        return self._changes.armed()

    def close(self) -> None:
        self._stop_listening()

    # The peer

    async def authenticate_peer(self, authorization: str) -> Pair:
        """The pair, if ``authorization`` carries its token; else 401."""
        current = await self.context.pair()
        presented = authorization.removeprefix(protocol.BEARER)
        if (
            current is None
            or presented == authorization  # no bearer token
            or not presented
            or not current.authenticates(presented)
        ):
            raise NotAuthenticated("not the high-availability peer of this instance")
        return current

    # What the API asks for

    async def connect(
        self, shadow: ShadowSettings, user: str | None, password: str | None, ca_pem: str | None
    ) -> None:
        await connecting.connect(self.context, self.link, shadow, user, password, ca_pem)

    async def disconnect(self, shadow: ShadowSettings) -> None:
        await connecting.disconnect(self.context, self.link, shadow)

    async def take_over(self, current: Pair, reason: str) -> None:
        await roles.take_over(self.context, current, reason=reason)

    async def switch(self, *, force: bool) -> None:
        await roles.switch(self.context, force=force)

    async def master_state(self) -> tuple[str, str]:
        """(state, shadow host) for GET .../ha/master/state."""
        paired = await self.context.pair() is not None
        position = await self.context.position()
        return self.master.state(paired, position.generation, position.seq)

    async def shadow_connected(self) -> bool:
        return (await self.master_state())[0] == CONNECTED


def _nothing() -> None:
    return None

"""What each part of high availability works with (the shadow's link, the master's watch, the
role changes): the instance and the runtime's threads, the audit log and alerts, the master's
view of its shadow, and the wake-up of the HA task."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from openscc.alerts.service import AlertService
from openscc.audit import AuditLog
from openscc.background.wakeup import Wakeup
from openscc.background.workers import Workers
from openscc.ha import state
from openscc.ha.checks import MasterSide
from openscc.ha.pair import Pair
from openscc.ha.protocol import Position
from openscc.ha.state import HaState
from openscc.instance import Instance
from openscc.store.thread import StoreThread


@dataclass(kw_only=True)
class HaContext:
    instance: Instance
    store_thread: StoreThread
    workers: Workers
    audit: AuditLog
    alerts: AlertService
    ui_port: int
    clock: Callable[[], float] = time.monotonic
    master: MasterSide = field(init=False)
    # Wakes the HA task: a CONNECT, a bind, a role change.
    wakeup: Wakeup = field(default_factory=Wakeup)
    # Told of a change of role, with the shadow link's state from then on (the coordinator
    # resets the link).
    role_changed: Callable[[str], None] = lambda link_state: None

    def __post_init__(self) -> None:
        self.master = MasterSide(self.clock)

    async def state(self) -> HaState:
        return await self.store_thread.run(state.read, self.instance)

    async def pair(self) -> Pair | None:
        return await self.store_thread.run(state.read_pair, self.instance)

    async def position(self) -> Position:
        return await self.store_thread.run(state.position, self.instance)

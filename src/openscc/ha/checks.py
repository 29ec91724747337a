"""What the master knows of its shadow, from its checks: which shadow is bound, whether it is in
sync and alive.

The shadow's checks (its requests for changes) are the master's only news of it: it is
CONNECTED while they come, BROKEN once none came for three of its check intervals (then another
shadow may bind, as the product allows), BINDING from its first connect until its first check
in sync, ALONE without one or after its DISCONNECT (the pair is kept, so it may connect again
without credentials).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from openscc.ha.protocol import Position

ALONE, BINDING, CONNECTED, BROKEN = "ALONE", "BINDING", "CONNECTED", "BROKEN"
MASTER_STATES = (ALONE, BINDING, CONNECTED, BROKEN)
LOST_AFTER_CHECKS = 3


@dataclass(frozen=True, slots=True)
class ShadowSeen:
    """What the master knows of its shadow's last check."""

    instance: str
    host: str
    check_interval: int
    takeover_delay: int
    at: float  # monotonic
    position: Position | None  # what the shadow has applied (None: it is syncing)


class MasterSide:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._seen: ShadowSeen | None = None
        # The shadow said DISCONNECT: not lost, just gone until it connects again.
        self._released = False
        # Set while a role switch waits for the shadow; changes are refused meanwhile.
        self.switching = False

    def bound(self, instance: str, host: str, check_interval: int, takeover_delay: int) -> None:
        """A shadow has bound (or bound again): it syncs next."""
        with self._lock:
            self._released = False
            self._seen = ShadowSeen(
                instance, host, check_interval, takeover_delay, self._clock(), None
            )

    def checked(
        self,
        instance: str,
        host: str,
        check_interval: int,
        takeover_delay: int,
        position: Position | None,
    ) -> None:
        with self._lock:
            self._released = False
            self._seen = ShadowSeen(
                instance, host, check_interval, takeover_delay, self._clock(), position
            )

    def unbound(self) -> None:
        """Forget the shadow's checks (a role change, a reset)."""
        with self._lock:
            self._seen = None
            self._released = False

    def released(self) -> None:
        """The shadow disconnected on purpose."""
        with self._lock:
            self._seen = None
            self._released = True

    @property
    def is_released(self) -> bool:
        with self._lock:
            return self._released

    def seen(self) -> ShadowSeen | None:
        with self._lock:
            return self._seen

    def is_lost(self, paired: bool, check_interval: int = 30) -> bool:
        """No check from the paired shadow for three of its intervals (since this server
        started, if none came yet)."""
        if not paired:
            return True
        with self._lock:
            if self._released:
                return True  # another shadow may bind
            seen = self._seen
        interval = seen.check_interval if seen else check_interval
        last = seen.at if seen else self._started
        return self._clock() - last > LOST_AFTER_CHECKS * interval

    def state(self, paired: bool, generation: str, last_seq: int) -> tuple[str, str]:
        """(state, shadow host) for GET .../ha/master/state."""
        if not paired:
            return ALONE, ""
        with self._lock:
            seen, released = self._seen, self._released
        if released:
            return ALONE, ""
        if seen is None:
            return (BROKEN if self.is_lost(paired) else BINDING), ""
        if self.is_lost(paired):
            return BROKEN, seen.host
        if seen.position is None or seen.position.generation != generation:
            return BINDING, seen.host
        return CONNECTED, seen.host

    def in_sync(self, generation: str, last_seq: int) -> bool:
        """The shadow has applied every change there is."""
        with self._lock:
            seen = self._seen
        return seen is not None and seen.position == Position(generation, last_seq)

    def forget_position(self) -> None:
        with self._lock:
            if self._seen is not None:
                self._seen = replace(self._seen, position=None)

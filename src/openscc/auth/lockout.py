"""Locking a user out for a while after repeated failed logins."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Failures:
    times: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class Lockout:
    """Counts failures per user name; other users are never affected."""

    def __init__(
        self,
        *,
        max_failures: int,
        lockout_seconds: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_failures
        self._seconds = lockout_seconds
        self._clock = clock
        self._by_user: dict[str, _Failures] = {}

    def is_locked(self, user: str) -> bool:
        entry = self._by_user.get(user)
        return entry is not None and self._clock() < entry.locked_until

    def record_failure(self, user: str) -> bool:
        """Count a failure; True when this failure locks the user out."""
        now = self._clock()
        entry = self._by_user.setdefault(user, _Failures())
        entry.times = [t for t in entry.times if now - t < self._seconds] + [now]
        if len(entry.times) >= self._max:
            entry.locked_until = now + self._seconds
            entry.times.clear()
            return True
        # Bound memory under a stream of made-up user names, never forgetting a lockout.
        if len(self._by_user) > 100_000:
            self._by_user = {
                name: failures
                for name, failures in self._by_user.items()
                if now < failures.locked_until or name == user
            }
        return False

    def record_success(self, user: str) -> None:
        self._by_user.pop(user, None)

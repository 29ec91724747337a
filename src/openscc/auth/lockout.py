"""Locking a user out for a while after repeated failed logins.

The count is taken *before* the expensive password check, so parallel requests cannot slip past
it: each check in flight holds a reservation, and no more checks start for a user than the
failures still allowed in the window. At most ``max_failures`` failed checks run per user and
window, whatever the number of requests sent at once. Once locked, the right password is refused
too until the lock ends, and a success neither lifts a lock nor forgets earlier failures (they
age out of the window on their own).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Failures:
    times: list[float] = field(default_factory=list)
    in_flight: int = 0
    locked_until: float = 0.0


class Attempt:
    """A reserved password check for one user; settle it exactly once."""

    __slots__ = ("_lockout", "_settled", "user")

    def __init__(self, lockout: Lockout, user: str) -> None:
        self._lockout = lockout
        self._settled = False
        self.user = user

    def failed(self) -> bool:
        """The check failed: count it. True when this failure locks the user out."""
        if self._settled:
            return False
        self._settled = True
        return self._lockout._settle(self.user, failed=True)

    def succeeded(self) -> None:
        if not self._settled:
            self._settled = True
            self._lockout._settle(self.user, failed=False)

    def abandon(self) -> None:
        """The check never ran to an answer (a cancelled request, a full queue)."""
        self.succeeded()


class Lockout:
    """Counts failures per user name; other users are never affected.

    Memory is bounded: at ``max_entries``, entries with neither a recent failure nor a lock are
    dropped, then the oldest failures. Locks are never dropped early; their number is bounded by
    how fast failures can be checked (the password check slots) times the lockout period.
    """

    def __init__(
        self,
        *,
        max_failures: int,
        lockout_seconds: int,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ) -> None:
        self._max = max_failures
        self._seconds = lockout_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._by_user: dict[str, _Failures] = {}

    def is_locked(self, user: str) -> bool:
        entry = self._by_user.get(user)
        return entry is not None and self._clock() < entry.locked_until

    def begin(self, user: str) -> Attempt | None:
        """Reserve a password check for ``user``; None if the user is locked or every failure
        still allowed in the window is already being checked."""
        now = self._clock()
        entry = self._by_user.get(user)
        if entry is None:
            self._make_room(now)
            entry = self._by_user[user] = _Failures()
        if now < entry.locked_until:
            return None
        entry.times = [t for t in entry.times if now - t < self._seconds]
        if len(entry.times) + entry.in_flight >= self._max:
            return None
        entry.in_flight += 1
        return Attempt(self, user)

    def _settle(self, user: str, *, failed: bool) -> bool:
        entry = self._by_user.get(user)
        if entry is None:  # pragma: no cover - an entry with a check in flight is never dropped
            return False
        entry.in_flight -= 1
        if not failed:
            return False
        now = self._clock()
        entry.times.append(now)
        if len(entry.times) >= self._max and now >= entry.locked_until:
            entry.locked_until = now + self._seconds
            entry.times.clear()
            return True
        return False

    def _make_room(self, now: float) -> None:
        if len(self._by_user) < self._max_entries:
            return
        kept = {
            name: entry
            for name, entry in self._by_user.items()
            if entry.in_flight
            or now < entry.locked_until
            or any(now - t < self._seconds for t in entry.times)
        }
        if len(kept) >= self._max_entries:
            # Still full of recent failures: forget the oldest of them (down to half the cap,
            # so this runs seldom). Locks and checks in flight are always kept.
            forgettable = [
                name for name, e in kept.items() if not e.in_flight and now >= e.locked_until
            ]
            for name in forgettable[: len(kept) - self._max_entries // 2]:
                del kept[name]
        self._by_user = kept

    def __len__(self) -> int:
        return len(self._by_user)

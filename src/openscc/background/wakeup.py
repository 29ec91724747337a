"""The one wakeable timer: a sleep that ``wake()``, from any thread, cuts short.

The schedules' timer sleeps until the next schedule is due and wakes when one changes; high
availability's task sleeps between checks and wakes on a CONNECT, a bind or a role change; a
master's long-polling shadow waits for the next journaled change. Each is a ``Wakeup``.
Sleepers may be on different event loops (the tests' clients run their own), so a wake is
handed to each sleeper's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator


class Wakeup:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sleepers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def wake(self) -> None:
        """Wake every current sleeper. From any thread."""
        with self._lock:
            sleepers = list(self._sleepers)
        for loop, event in sleepers:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(event.set)

    async def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if woken before."""
        async with self.armed() as woken:
            return await woken(seconds)

    @contextlib.asynccontextmanager
    async def armed(self) -> AsyncIterator[_Sleep]:
        """Be a sleeper from now on (a wake before the sleep begins is not missed): yields the
        sleep to await, which answers whether a wake came."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._sleepers.add(entry)
        try:
            yield _Sleep(entry[1])
        finally:
            with self._lock:
                self._sleepers.discard(entry)


class _Sleep:
    def __init__(self, event: asyncio.Event) -> None:
        self._event = event

    async def __call__(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        return True

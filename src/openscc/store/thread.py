"""The store thread: where every use of the instance's store connection runs, in order.

The server's event loop never waits on SQLite (its transactions, fsyncs and up to two seconds
for a lock another process holds): handlers that read or change the configuration run in this
one thread, one at a time, so they never wait for each other's locks either. CPU-heavy work
(RSA keys, Argon2, backups) runs elsewhere (the hash slots, the backup KDF slots, the default
thread pool), so it never holds the store thread up.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class StoreThread:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openscc-store")

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work(*args, **kwargs)`` in the store thread, after the work queued before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(work, *args, **kwargs))

    def close(self) -> None:
        """Finish the queued work and stop the thread."""
        self._executor.shutdown(wait=True)

"""The store thread: where every use of the instance's store connection runs, in order.

The server's event loop never waits on SQLite (its transactions, fsyncs and up to two seconds
for a lock another process holds): handlers that read or change the configuration run in this
one thread, one at a time, so they never wait for each other's locks either. CPU-heavy work
(RSA keys, Argon2, backups) runs elsewhere (the hash slots, the backup KDF slots, the runtime's
workers), so it never holds the store thread up.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger("openscc.store")


class StoreThread:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="openscc-store", initializer=self._started
        )
        self._ident: int | None = None

    def _started(self) -> None:
        self._ident = threading.get_ident()

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work(*args, **kwargs)`` in the store thread, after the work queued before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(work, *args, **kwargs))

    def call(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """From a worker thread (never the event loop): ``work`` in the store thread, waited
        for. Called from the store thread itself, it runs at once."""
        if threading.get_ident() == self._ident:
            return work(*args, **kwargs)
        return self._executor.submit(work, *args, **kwargs).result()

    def record(self, work: Callable[P, None], *args: P.args, **kwargs: P.kwargs) -> None:
        """From any thread, the event loop included: queue ``work`` (the recording of something
        that happened: a figure, an alert) without waiting for it; a failure is logged. Queued
        work is done before the thread stops."""
        try:
            future = self._executor.submit(work, *args, **kwargs)
        except RuntimeError:  # the thread has stopped: the app is closing
            logger.warning(
                "not recorded, the store is closing: %s", getattr(work, "__name__", work)
            )
            return
        future.add_done_callback(_log_failure)

    def close(self) -> None:
        """Finish the queued work and stop the thread."""
        self._executor.shutdown(wait=True)


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        logger.error("recording in the store failed: %s", error, exc_info=error)

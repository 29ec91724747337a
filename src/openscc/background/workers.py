"""The one way blocking work runs beside the event loop (the store's own thread apart): password
hashes, RSA keys, backups and restores, uploads to targets, drills, split backups, e-mails.

A pool of daemon threads: a job is submitted from any thread, and awaited from the event loop
with ``run``. Stopping (a shutdown, a restore's restart) sets the pool's ``StopSignal``, which
jobs with stages check between them (a backup, then its upload, then the read-back, then
retention) and raise ``Interrupted``; then it waits up to a deadline for the jobs to end. A job
stuck in a call that cannot be interrupted (an upload to a server that never answers) is left
behind: its thread is a daemon, so it holds up neither the process's exit nor a restart, and it
does nothing more once it returns (its next check raises).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger("openscc.runtime")


class Interrupted(Exception):
    """The runtime is stopping: the job ended between two of its stages."""


class StopSignal:
    """Set once, when the runtime stops; read by jobs between their stages."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                logger.exception("a stop callback failed")

    def when_set(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` when the signal is set (at once if it is): for a job blocked
        where it cannot check, such as a child process to end. Returns the way to cancel it."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._discard(callback)
        callback()
        return lambda: None

    def _discard(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise Interrupted if the runtime is stopping."""
        if self._event.is_set():
            raise Interrupted("the server is stopping")

    def wait(self, seconds: float) -> bool:
        """A pause a job takes (polling something), cut short by stopping: True if stopped."""
        return self._event.wait(seconds)


_Job = tuple[Future[Any], Callable[[], Any]]


class Workers:
    def __init__(self, *, size: int = 32, name: str = "openscc-worker") -> None:
        self.stopping = StopSignal()
        self._size = size
        self._name = name
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0

    def submit(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``work(*args, **kwargs)``; its future. From any thread."""
        future: Future[T] = Future()
        with self._lock:
            if self.stopping.is_set():
                future.set_exception(Interrupted("the server is stopping"))
                return future
            self._queue.put((future, lambda: work(*args, **kwargs)))
            if self._idle:
                self._idle -= 1  # a waiting thread takes it
            elif len(self._threads) < self._size:
                thread = threading.Thread(
                    target=self._serve, name=f"{self._name}-{len(self._threads) + 1}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            # else: every thread is busy; the job waits in the queue for the first to be free
        return future

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work(*args, **kwargs)`` in a worker, awaited on the event loop. Cancelling the
        await leaves the job to end at its next check of the stop signal."""
        return await asyncio.wrap_future(self.submit(work, *args, **kwargs))

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            future, call = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as error:  # delivered to whoever awaits the job
                    future.set_exception(error)
            with self._lock:
                self._idle += 1

    def stop(self, deadline_seconds: float) -> int:
        """Signal every job to stop and wait up to ``deadline_seconds`` for them; the number of
        jobs still running then (left to end on their own)."""
        with self._lock:
            self.stopping.set()
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        end = time.monotonic() + deadline_seconds
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))
        left = sum(thread.is_alive() for thread in threads)
        if left:
            logger.warning("%d background job(s) still running at the stop were left behind", left)
        return left

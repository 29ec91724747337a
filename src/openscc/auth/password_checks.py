"""Password checks against Argon2 hashes: bounded in number, shared when identical.

Each check holds the hash's memory (64 MiB in production) for tens of milliseconds. Without a
bound, parallel logins, even unauthenticated ones with made-up names, would each hold that much
at once. Checks therefore wait for one of a few slots; a request that cannot get one within the
deadline is answered ``503`` with ``Retry-After``, so the server's memory stays bounded whatever
the number of parallel logins.

Concurrent requests with the same user and password share one check: when the credential cache's
entry expires under load, every request in flight would otherwise run its own check at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from openscc.background.workers import Workers
from openscc.errors import ServerBusy

T = TypeVar("T")


class HashSlots:
    """At most ``slots`` hash computations at a time, in the runtime's workers; waiting longer
    than ``wait_seconds`` fails."""

    def __init__(self, workers: Workers, *, slots: int, wait_seconds: float) -> None:
        self._workers = workers
        self._semaphore = asyncio.Semaphore(slots)
        self._wait = wait_seconds
        self.slots = slots

    async def run(self, work: Callable[..., T], *args: object) -> T:
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self._wait)
        except TimeoutError:
            raise ServerBusy(
                "too many logons are being checked at once; try again in a few seconds"
            ) from None
        try:
            return await self._workers.run(work, *args)
        finally:
            self._semaphore.release()


class SharedChecks(Generic[T]):
    """Runs ``check(user, password)`` once for all concurrent callers with the same pair."""

    __slots__ = ("_key", "_running")

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._running: dict[bytes, asyncio.Future[T]] = {}

    async def run(self, user: str, password: str, check: Callable[[], Awaitable[T]]) -> T:
        message = f"{user}\0{password}".encode("utf-8", "surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        running = self._running.get(digest)
        if running is not None:
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if not running.cancelled() or (current is not None and current.cancelling()):
                    raise
                # The request running the check went away first: check here instead.
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[digest] = future
        try:
            result = await check()
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so an unshared failure is not logged twice
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            if self._running.get(digest) is future:
                del self._running[digest]
        future.set_result(result)
        return result

"""A short-lived memory of verified basic-auth credentials.

Argon2 verification costs tens of milliseconds by design; doing it on every request would cap the
API's throughput. Entries are keyed by an HMAC of user and password under a per-process random key,
so the cache never holds a password or anything that could be tested offline, and it is cleared
whenever a password or user changes. The key also covers the user's stored hash (the ``stamp``), so a
password set by another process (``openscc users set-password``) ends the old one at once too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable


class CredentialCache:
    def __init__(self, *, ttl_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._key = secrets.token_bytes(32)
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[bytes, tuple[str, float]] = {}

    def _digest(self, user: str, password: str, stamp: str) -> bytes:
        message = f"{user}\0{password}\0{stamp}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def lookup(self, user: str, password: str, stamp: str) -> bool:
        entry = self._entries.get(self._digest(user, password, stamp))
        return entry is not None and entry[0] == user and self._clock() < entry[1]

    def remember(self, user: str, password: str, stamp: str) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[self._digest(user, password, stamp)] = (user, self._clock() + self._ttl)

    def clear(self) -> None:
        self._entries.clear()

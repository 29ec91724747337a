"""Password hashing with Argon2id; unknown users cost as much as wrong passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Production: argon2-cffi's RFC 9106 low-memory profile (64 MiB, t=3, p=4). The test profile only
# keeps the suite fast; it is never chosen unless the settings ask for it.
_HASHERS = {
    "production": PasswordHasher(),
    "test": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


class Passwords:
    def __init__(self, profile: str) -> None:
        self._hasher = _HASHERS[profile]
        self._dummy_hash = self._hasher.hash("openscc-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, candidate: str) -> bool:
        """Check a password; with no stored hash, burn the same time and answer False."""
        try:
            if stored_hash is None:
                self._hasher.verify(self._dummy_hash, candidate)
                return False
            return self._hasher.verify(stored_hash, candidate)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

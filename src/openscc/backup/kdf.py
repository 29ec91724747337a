"""Password-based key derivation for backup archives: Argon2id, then HKDF-SHA256 subkeys."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from openscc.errors import UnsafeArchive

ARGON2ID = "argon2id"
SALT_BYTES = 16
KEY_BYTES = 32

# At or above the OWASP minimum (Argon2id, 19 MiB, t=2, p=1); about 0.2 s on one core.
PRODUCTION_MEMORY_KIB = 64 * 1024
PRODUCTION_ITERATIONS = 3
PRODUCTION_PARALLELISM = 1

# Caps on parameters read from an archive: a hostile file must not make the server spend more than
# a quarter GiB and a few seconds per attempt (age and borg cap the same way).
MAX_MEMORY_KIB = 256 * 1024
MAX_ITERATIONS = 10
MAX_PARALLELISM = 8
MAX_SALT_BYTES = 64
# Floors: the smallest values argon2 itself accepts (m >= 8 KiB per lane), and NIST's 128-bit salt.
MIN_MEMORY_KIB_PER_LANE = 8
MIN_SALT_BYTES = 16

# HKDF info strings: one per subkey, so no key is ever used for two purposes (SP 800-132 5.4).
INFO_ENCRYPTION = b"openscc backup v1 encryption key"
INFO_MANIFEST_MAC = b"openscc backup v1 manifest mac key"
INFO_KEY_CHECK = b"openscc backup v1 key check"


@dataclass(frozen=True, kw_only=True, slots=True)
class KdfParams:
    """Which KDF turns the password into keys, with its cost parameters and salt."""

    name: str
    memory_kib: int
    iterations: int
    parallelism: int
    salt: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveKeys:
    """The subkeys of one archive; never printed."""

    encryption_key: bytes = field(repr=False)
    mac_key: bytes = field(repr=False)
    key_check: bytes = field(repr=False)


def production_kdf(salt: bytes | None = None) -> KdfParams:
    """Argon2id at 64 MiB, t=3, p=1 with a fresh random salt (a function: salts are never reused)."""
    return KdfParams(
        name=ARGON2ID,
        memory_kib=PRODUCTION_MEMORY_KIB,
        iterations=PRODUCTION_ITERATIONS,
        parallelism=PRODUCTION_PARALLELISM,
        salt=os.urandom(SALT_BYTES) if salt is None else salt,
    )


def weak_kdf(salt: bytes | None = None) -> KdfParams:
    """The weakest parameters Argon2id accepts, for tests only: derivation takes microseconds."""
    return KdfParams(
        name=ARGON2ID,
        memory_kib=MIN_MEMORY_KIB_PER_LANE,
        iterations=1,
        parallelism=1,
        salt=os.urandom(SALT_BYTES) if salt is None else salt,
    )


weak_kdf.__test__ = False  # type: ignore[attr-defined]  # pytest must not collect it by name
test_kdf = weak_kdf  # the name callers select it by, only when they ask for the test profile


def check_kdf_params(params: KdfParams) -> None:
    """Refuse an unknown KDF or parameters outside the caps, before any work is done."""
    if params.name != ARGON2ID:
        raise UnsafeArchive(f"KDF parameters name an unknown KDF {params.name!r:.40}")
    if not MIN_SALT_BYTES <= len(params.salt) <= MAX_SALT_BYTES:
        raise UnsafeArchive(
            f"KDF parameters have a {len(params.salt)}-byte salt; "
            f"allowed {MIN_SALT_BYTES}..{MAX_SALT_BYTES}"
        )
    _check_range("parallelism", params.parallelism, 1, MAX_PARALLELISM)
    _check_range("iterations", params.iterations, 1, MAX_ITERATIONS)
    _check_range(
        "memory_kib",
        params.memory_kib,
        MIN_MEMORY_KIB_PER_LANE * params.parallelism,
        MAX_MEMORY_KIB,
    )


def _check_range(what: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UnsafeArchive(
            f"KDF parameters out of bounds: {what}={value!r:.40}; allowed {low}..{high}"
        )


def derive_keys(password: str, params: KdfParams) -> ArchiveKeys:
    """Derive the archive's subkeys from the password; the parameters are checked first."""
    check_kdf_params(params)
    # surrogatepass: any str (even one with a lone surrogate from JSON) encodes deterministically.
    secret = password.encode("utf-8", "surrogatepass")
    master = hash_secret_raw(
        secret=secret,
        salt=params.salt,
        time_cost=params.iterations,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
    return ArchiveKeys(
        encryption_key=_expand(master, INFO_ENCRYPTION),
        mac_key=_expand(master, INFO_MANIFEST_MAC),
        key_check=_expand(master, INFO_KEY_CHECK),
    )


def _expand(master: bytes, info: bytes) -> bytes:
    # Argon2 output is already uniformly random, so HKDF-Expand alone suffices (RFC 5869 3.3).
    return HKDFExpand(algorithm=hashes.SHA256(), length=KEY_BYTES, info=info).derive(master)

"""The manifest of a backup archive: what it holds, who made it, and how to derive its keys.

The manifest is plain JSON, readable without the password. It is authenticated only by the
``manifest.mac`` member, which needs the password, so nothing read here may be trusted before
``read_archive`` has checked that MAC. Parsing is strict: unknown or missing fields, wrong types,
duplicate JSON keys and non-finite numbers are all refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

from openscc.backup.kdf import KdfParams
from openscc.backup.strict_json import parse_json
from openscc.errors import CorruptArchive, NotABackup, UnsupportedVersion

FORMAT_VERSION = 1
PRODUCT = "openscc"

MANIFEST_MEMBER = "manifest.json"
MAC_MEMBER = "manifest.mac"
CONFIG_MEMBER = "config.jsonl"
SECRETS_MEMBER = "secrets.jsonl.enc"
FILES_PREFIX = "files/"

_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_VERSION_PREFIX = re.compile(r"\d{1,9}(?:\.\d{1,9}){0,9}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"(?:[0-9a-f]{2})*")
_MAX_TEXT = 256
_MAX_COUNT = 2**53  # the largest integer every JSON reader keeps exactly

_FIELDS = frozenset(
    {
        "format_version",
        "product",
        "product_version",
        "scc_api_version",
        "created_at",
        "source_instance",
        "counts",
        "secret_counts",
        "members",
        "kdf",
        "key_check",
    }
)
_KDF_FIELDS = frozenset({"name", "memory_kib", "iterations", "parallelism", "salt"})
_MEMBER_FIELDS = frozenset({"size", "sha256"})


@dataclass(frozen=True, kw_only=True, slots=True)
class MemberDigest:
    """Size and SHA-256 (hex) of a member's uncompressed bytes."""

    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Manifest:
    """Everything an archive declares about itself; see docs/backup-format.md for each field."""

    format_version: int
    product: str
    product_version: str
    scc_api_version: str
    created_at: int  # epoch milliseconds
    source_instance: str
    counts: dict[str, int]  # kind -> number of records
    secret_counts: dict[str, int]  # kind -> number of records that carry a secret
    members: dict[str, MemberDigest]
    kdf: KdfParams
    key_check: bytes

    def to_json(self) -> bytes:
        """Serialise to the exact bytes stored (and MACed) as manifest.json."""
        data = {
            "format_version": self.format_version,
            "product": self.product,
            "product_version": self.product_version,
            "scc_api_version": self.scc_api_version,
            "created_at": self.created_at,
            "source_instance": self.source_instance,
            "counts": dict(self.counts),
            "secret_counts": dict(self.secret_counts),
            "members": {
                name: {"size": digest.size, "sha256": digest.sha256}
                for name, digest in self.members.items()
            },
            "kdf": {
                "name": self.kdf.name,
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "parallelism": self.kdf.parallelism,
                "salt": self.kdf.salt.hex(),
            },
            "key_check": self.key_check.hex(),
        }
        return (json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n").encode("ascii")

    @classmethod
    def from_json(cls, raw: bytes, *, running_version: str | None = None) -> Manifest:
        """Parse and check a manifest; with ``running_version``, refuse one from a newer openscc."""
        try:
            data = parse_json(raw)
        except ValueError:
            raise NotABackup(f"{MANIFEST_MEMBER} is not valid JSON") from None
        if not isinstance(data, dict):
            raise NotABackup(f"{MANIFEST_MEMBER} is not a JSON object")
        if data.get("product") != PRODUCT:
            raise NotABackup(f"{MANIFEST_MEMBER} is not from {PRODUCT}")
        format_version = data.get("format_version")
        if not _is_int(format_version) or format_version < 1:
            raise NotABackup(f"{MANIFEST_MEMBER} has no format version")
        if format_version > FORMAT_VERSION:
            raise UnsupportedVersion(
                f"it was made in archive format {format_version}; "
                f"this openscc reads up to {FORMAT_VERSION}"
            )
        # The product version is checked before the other fields: a newer openscc may add some.
        product_version = _text(data, "product_version")
        _parse_version(product_version, "product_version")
        if running_version is not None and is_newer_version(product_version, running_version):
            raise UnsupportedVersion(
                f"it was made by openscc {product_version}; this is openscc {running_version}"
            )
        _exact_fields(data, _FIELDS, MANIFEST_MEMBER)
        return cls(
            format_version=format_version,
            product=PRODUCT,
            product_version=product_version,
            scc_api_version=_text(data, "scc_api_version"),
            created_at=_count(data, "created_at"),
            source_instance=_text(data, "source_instance"),
            counts=_counts(data, "counts"),
            secret_counts=_counts(data, "secret_counts"),
            members=_members(data),
            kdf=_kdf(data),
            key_check=_hex(data, "key_check", exact_bytes=32),
        )


def is_file_name(name: str) -> bool:
    """True for the simple names allowed under files/ (no paths, no leading dot)."""
    return _FILE_NAME.fullmatch(name) is not None and ".." not in name


def is_payload_member(name: str) -> bool:
    """True for the names a manifest may list: config, secrets and files/<simple name>."""
    if name in (CONFIG_MEMBER, SECRETS_MEMBER):
        return True
    return name.startswith(FILES_PREFIX) and is_file_name(name[len(FILES_PREFIX) :])


def is_newer_version(candidate: str, running: str) -> bool:
    """Compare dotted versions numerically (1.10 > 1.9; 1.0 == 1.0.0); suffixes are ignored."""
    a = _parse_version(candidate, "product_version")
    b = _parse_version(running, "running version")
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) > b + (0,) * (width - len(b))


def _parse_version(text: str, what: str) -> tuple[int, ...]:
    match = _VERSION_PREFIX.match(text)
    if match is None:
        raise CorruptArchive(f"{what} {text!r:.40} is not a dotted version")
    return tuple(int(part) for part in match.group(0).split("."))


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _exact_fields(data: dict[str, Any], fields: frozenset[str], where: str) -> None:
    missing = sorted(fields - data.keys())
    if missing:
        raise CorruptArchive(f"{where} misses field {missing[0]!r}")
    unknown = sorted(data.keys() - fields)
    if unknown:
        raise CorruptArchive(f"{where} has unknown field {unknown[0]!r:.60}")


def _bad(field: str, expected: str) -> CorruptArchive:
    return CorruptArchive(f"manifest field {field!r} must be {expected}")


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_TEXT:
        raise _bad(field, f"a non-empty string of at most {_MAX_TEXT} characters")
    return value


def _count(data: dict[str, Any], field: str) -> int:
    value = data.get(field)
    if not _is_int(value) or not 0 <= value <= _MAX_COUNT:
        raise _bad(field, "a non-negative integer")
    return value


def _counts(data: dict[str, Any], field: str) -> dict[str, int]:
    value = data.get(field)
    if not isinstance(value, dict):
        raise _bad(field, "an object")
    for kind, count in value.items():
        if not 0 < len(kind) <= _MAX_TEXT or not _is_int(count) or not 0 <= count <= _MAX_COUNT:
            raise _bad(field, "an object of kind -> non-negative integer")
    return dict(value)


def _members(data: dict[str, Any]) -> dict[str, MemberDigest]:
    value = data.get("members")
    if not isinstance(value, dict):
        raise _bad("members", "an object")
    members: dict[str, MemberDigest] = {}
    for name, entry in value.items():
        if not is_payload_member(name):
            raise CorruptArchive(f"manifest lists an invalid member {name!r:.80}")
        if not isinstance(entry, dict):
            raise _bad("members", "an object of name -> {size, sha256}")
        _exact_fields(entry, _MEMBER_FIELDS, f"manifest entry {name!r}")
        size, sha256 = entry["size"], entry["sha256"]
        if not _is_int(size) or size < 0 or not isinstance(sha256, str):
            raise _bad("members", "an object of name -> {size, sha256}")
        if _SHA256_HEX.fullmatch(sha256) is None:
            raise _bad("members", "a map to lowercase hex SHA-256 digests")
        members[name] = MemberDigest(size=size, sha256=sha256)
    for required in (CONFIG_MEMBER, SECRETS_MEMBER):
        if required not in members:
            raise CorruptArchive(f"manifest does not list {required}")
    return members


def _kdf(data: dict[str, Any]) -> KdfParams:
    value = data.get("kdf")
    if not isinstance(value, dict):
        raise _bad("kdf", "an object")
    _exact_fields(value, _KDF_FIELDS, "manifest field 'kdf'")
    name = value["name"]
    if not isinstance(name, str) or len(name) > _MAX_TEXT:
        raise _bad("kdf", "an object with a string name")
    for field in ("memory_kib", "iterations", "parallelism"):
        # Only the type here: kdf.check_kdf_params judges the range, as an unsafe archive.
        if not _is_int(value[field]):
            raise _bad("kdf", f"an object with an integer {field}")
    return KdfParams(
        name=name,
        memory_kib=value["memory_kib"],
        iterations=value["iterations"],
        parallelism=value["parallelism"],
        salt=_hex(value, "salt", max_bytes=_MAX_TEXT),
    )


def _hex(data: dict[str, Any], field: str, *, exact_bytes: int = 0, max_bytes: int = 0) -> bytes:
    value = data.get(field)
    if not isinstance(value, str) or _HEX.fullmatch(value) is None:
        raise _bad(field, "lowercase hex")
    raw = bytes.fromhex(value)
    if exact_bytes and len(raw) != exact_bytes:
        raise _bad(field, f"{exact_bytes} bytes of hex")
    if max_bytes and len(raw) > max_bytes:
        raise _bad(field, f"at most {max_bytes} bytes of hex")
    return raw

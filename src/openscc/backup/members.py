"""What the archive writer and reader compute alike: member digests, manifest MAC, record identity.

Both sides must agree on these byte for byte, so they live in one place. See docs/backup-format.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from openscc.backup.crypto import CHUNK_BYTES
from openscc.backup.manifest import MemberDigest

# Members are read, and config.jsonl is written, this many bytes at a time.
READ_BYTES = CHUNK_BYTES


def manifest_mac(mac_key: bytes, raw_manifest: bytes) -> str:
    return hmac.new(mac_key, raw_manifest, hashlib.sha256).hexdigest()


class Digest:
    """Size and SHA-256 of bytes seen so far."""

    __slots__ = ("_hash", "_size")

    def __init__(self, data: bytes = b"") -> None:
        self._hash = hashlib.sha256(data)
        self._size = len(data)

    def update(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)

    def result(self) -> MemberDigest:
        return MemberDigest(size=self._size, sha256=self._hash.hexdigest())


def first_sight(seen: set[bytes], kind: str, key: str) -> bool:
    """Record (kind, key) in ``seen``; False if it was there already."""
    # 16-byte digests keep the set small (about 90 bytes per record) whatever the key lengths;
    # the length prefix keeps ("ab", "c") and ("a", "bc") apart.
    kind_bytes = kind.encode("utf-8", "surrogatepass")
    identity = hashlib.blake2b(
        len(kind_bytes).to_bytes(8, "big") + kind_bytes + key.encode("utf-8", "surrogatepass"),
        digest_size=16,
    ).digest()
    size = len(seen)
    seen.add(identity)
    return len(seen) != size


# What the writer's line encoder (ensure_ascii) writes for a str, lone surrogates included.
_ENCODE_ASCII = json.encoder.encode_basestring_ascii


def config_line_head(kind: str, key: str, parent: str | None) -> bytes:
    """The start of a config.jsonl line as the writer writes it, up to and including
    ``"body":``: the writer appends a body's text to it, the reader finds a body's text after it."""
    parent_text = "null" if parent is None else _ENCODE_ASCII(parent)
    return (
        '{"kind":' + _ENCODE_ASCII(kind) + ',"key":' + _ENCODE_ASCII(key) + ',"parent":'
        + parent_text + ',"body":'
    ).encode("ascii")  # fmt: skip

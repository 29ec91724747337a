"""What the archive writer and reader compute alike: member digests, manifest MAC, record identity.

Both sides must agree on these byte for byte, so they live in one place. See docs/backup-format.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from openscc.backup.crypto import CHUNK_BYTES
from openscc.backup.manifest import MemberDigest, parse_json

# Members are read, and config.jsonl is written, this many bytes at a time.
READ_BYTES = CHUNK_BYTES

# The one form the writer gives every line. ASCII escapes keep every str (lone surrogates too)
# round-tripping exactly.
LINE_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def parse_line(line: bytes) -> Any:
    """``parse_json`` of one line, with a fast path for lines in the writer's form.

    A line that is exactly the encoding of what ``json.loads`` made of it is canonical: no
    duplicate key (the encoder cannot repeat one), no NaN or Infinity, only ASCII. So it is what
    the strict parser would return, at a fraction of its cost. Any other line takes the strict
    parser, which accepts or refuses it as before.
    """
    try:
        value = json.loads(line)
        if LINE_ENCODER.encode(value).encode("ascii") == line:
            return value
    except (ValueError, RecursionError):
        pass  # parse_json says what is wrong with it
    return parse_json(line)


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

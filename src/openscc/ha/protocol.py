"""What master and shadow send each other (docs/high-availability.md, "The wire protocol").

The initial sync is a backup archive of the replicated entities, encrypted with a password only
the pair knows (the archive format's integrity checks and encryption, unchanged). Later changes
are the change journal's rows as JSON, each secret sealed under a key only the pair knows, so a
secret is never in clear on the wire even inside TLS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag

from openscc import SCC_API_VERSION, __version__, kinds
from openscc.backup.archive import read_archive, write_archive
from openscc.backup.kdf import test_kdf
from openscc.errors import CorruptArchive, InvalidRequest
from openscc.ha.pair import archive_password
from openscc.instance import Instance
from openscc.kinds import ENTITY_KINDS, key_problem
from openscc.store import journal
from openscc.store.journal import Change
from openscc.store.records import EntityRecord
from openscc.store.sealing import SecretSealer

PREFIX = "/api/internal/ha"
BEARER = "Bearer "
GENERATION_HEADER = "X-Openscc-Ha-Generation"
SEQ_HEADER = "X-Openscc-Ha-Seq"
MAX_CHANGES = 5000  # per answer; a shadow further behind asks again at once


@dataclass(frozen=True, slots=True)
class Position:
    """Where a history stands: its generation and the last change in it."""

    generation: str
    seq: int


def pair_sealer(token: str) -> SecretSealer:
    return SecretSealer(hashlib.sha256(b"openscc ha secrets\0" + token.encode()).digest())


def write_snapshot(instance: Instance, token: str, dst: BinaryIO) -> Position:
    """The replicated configuration as of one instant, and the journal's position then. The
    archive's key comes from a random 256-bit token: the cheap KDF is enough."""
    with instance.snapshot() as snapshot:
        conn = snapshot.connection
        position = Position(journal.generation(conn), journal.last_seq(conn))
        records = (r for r in snapshot.iter_all() if kinds.is_replicated(r.kind, r.key))
        write_archive(
            dst,
            records=records,
            files={},
            password=archive_password(token),
            kdf=test_kdf(),
            product_version=__version__,
            scc_api_version=SCC_API_VERSION,
            source_instance=instance.instance_id,
            created_at_ms=int(time.time() * 1000),
            keys_unique=True,
        )
    return position


def read_snapshot(src: BinaryIO, token: str) -> Iterator[EntityRecord]:
    """The snapshot's records, each checked (hashes, tags) as it is read; only replicated
    entities of known kinds."""
    reader = read_archive(src, password=archive_password(token), product_version=__version__)
    for record in reader.records():
        if record.kind not in ENTITY_KINDS:
            raise CorruptArchive(f"unknown kind of entity {record.kind[:64]!r}")
        if not kinds.is_replicated(record.kind, record.key):
            raise CorruptArchive(f"a {record.kind} entity is not the master's to send")
        if (problem := key_problem(record)) is not None:
            raise CorruptArchive(f"a {record.kind} entity's key is {problem}")
        yield record


def encode_change(change: Change, own: SecretSealer, pair: SecretSealer) -> dict[str, Any]:
    """A journal row for the wire: its secret unsealed from the master key, sealed for the
    pair."""
    secret = None
    if change.sealed is not None and change.kind is not None:
        value = own.unseal(change.kind, change.key, change.sealed)
        secret = base64.b64encode(pair.seal(change.kind, change.key, value)).decode()
    return {
        "seq": change.seq,
        "op": change.op,
        "kind": change.kind,
        "key": change.key,
        "parent": change.parent,
        "body": change.body,
        "secret": secret,
    }


@dataclass(frozen=True, slots=True)
class WireChange:
    seq: int
    op: str
    kind: str | None
    key: str
    parent: str | None
    body: str | None
    secret: dict[str, Any] | None


def decode_change(data: Any, pair: SecretSealer) -> WireChange:
    """A change from the master, checked: a known operation on a replicated entity."""
    if not isinstance(data, dict):
        raise InvalidRequest("a change must be an object")
    op, kind, key = data.get("op"), data.get("kind"), data.get("key")
    if op not in journal.OPERATIONS or not isinstance(key, str) or not key:
        raise InvalidRequest("a change names no known operation or no key")
    if op != journal.DELETE_SUBTREE:
        if not isinstance(kind, str) or kind not in ENTITY_KINDS:
            raise InvalidRequest(f"a change names an unknown kind {str(kind)[:64]!r}")
        if not kinds.is_replicated(kind, key):
            raise InvalidRequest(f"a {kind} entity is not the master's to send")
    body, parent, sealed = data.get("body"), data.get("parent"), data.get("secret")
    if body is not None and not isinstance(body, str):
        raise InvalidRequest("a change's body must be JSON text")
    if parent is not None and not isinstance(parent, str):
        raise InvalidRequest("a change's parent must be a key")
    secret = None
    if sealed is not None:
        if not isinstance(sealed, str) or not isinstance(kind, str):
            raise InvalidRequest("a change's secret is malformed")
        try:
            secret = pair.unseal(kind, key, base64.b64decode(sealed, validate=True))
        except (InvalidTag, binascii.Error, ValueError):
            raise InvalidRequest("a change's secret was not sealed for this pair") from None
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise InvalidRequest("a change has no sequence number")
    if op == journal.PUT:
        assert isinstance(kind, str)  # checked above
        _check_key(EntityRecord(kind=kind, key=key, parent=parent, body_json=body or "{}"))
    return WireChange(seq, op, kind, key, parent, body, secret)


def _check_key(record: EntityRecord) -> None:
    try:
        problem = key_problem(record)
    except (ValueError, TypeError):
        problem = "not readable"
    if problem is not None:
        raise InvalidRequest(f"a change's {record.kind} key is {problem}")

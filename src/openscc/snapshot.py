"""The unit of configuration that moves between the store and a backup archive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True, kw_only=True, slots=True)
class EntityRecord:
    """One configuration entity: its non-sensitive fields and, apart, its sensitive ones.

    ``kind`` names the kind of entity (``subaccount``, ``systemMapping``, ``user``, ...), ``key`` is
    unique within the kind, ``parent`` is the key of the owning entity (or None). ``body`` never
    holds a secret; ``secret`` holds every sensitive field in plaintext, or is None.
    """

    kind: str
    key: str
    parent: str | None
    body: dict[str, Any]
    secret: dict[str, Any] | None = None


class StoredRecord(NamedTuple):
    """An entity as stored: like ``EntityRecord``, with the body still as its stored JSON text.

    ``body_json`` is what ``put`` and ``insert_many`` wrote (compact, ``ensure_ascii=False``), so a
    backup can copy it instead of parsing and re-encoding every body. A tuple, since a backup
    makes one per entity and a frozen dataclass costs several times as much to build.
    """

    kind: str
    key: str
    parent: str | None
    body_json: str
    secret: dict[str, Any] | None = None

    @property
    def body(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body_json)
        return value

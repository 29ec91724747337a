"""The unit of configuration that moves between the store and a backup archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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

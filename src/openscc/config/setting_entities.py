"""Settings kept as one entity with defaults: connector-wide, or one per subaccount.

A setting nobody changed has no entity and reads as its defaults; a stored one reads with the
defaults under it, so a field added in a later version has its default in an older archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openscc import kinds
from openscc.kinds import join_key
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord


@dataclass(frozen=True, slots=True)
class ConnectorSetting:
    kind: str
    defaults: Mapping[str, Any]

    def read(self, store: EntityStore) -> dict[str, Any]:
        record = store.get(self.kind, kinds.SINGLETON_KEY)
        return {**self.defaults, **(record.body if record is not None else {})}

    def write(self, store: EntityStore, body: Mapping[str, Any]) -> None:
        store.put(
            EntityRecord(kind=self.kind, key=kinds.SINGLETON_KEY, parent=None, body=dict(body))
        )


@dataclass(frozen=True, slots=True)
class SubaccountSetting:
    """Kept under the subaccount's key, so removing the subaccount removes it."""

    kind: str
    defaults: Mapping[str, Any]

    def key(self, sa_key: str) -> str:
        return join_key(sa_key, self.kind)

    def read(self, store: EntityStore, sa_key: str) -> dict[str, Any]:
        record = store.get(self.kind, self.key(sa_key))
        return {**self.defaults, **(record.body if record is not None else {})}

    def write(self, store: EntityStore, sa_key: str, body: Mapping[str, Any]) -> None:
        store.put(
            EntityRecord(kind=self.kind, key=self.key(sa_key), parent=sa_key, body=dict(body))
        )

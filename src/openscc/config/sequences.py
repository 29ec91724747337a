"""Counters for ids the product numbers itself (service channels, trust store aliases).

A counter is an entity too, so a restored backup goes on numbering where it left off.
"""

from __future__ import annotations

from openscc import kinds
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord


def next_value(store: EntityStore, name: str) -> int:
    """The next number of counter ``name`` (1, 2, ...); call inside a transaction."""
    record = store.get(kinds.SEQUENCE, name)
    value = 1 + (int(record.body["last"]) if record is not None else 0)
    store.put(EntityRecord(kind=kinds.SEQUENCE, key=name, parent=None, body={"last": value}))
    return value

"""Finding the entities a request names, with the product's NOT_FOUND messages."""

from __future__ import annotations

from openscc import kinds
from openscc.errors import NotFound
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord


def require_subaccount(
    store: EntityStore, region_host: str, subaccount: str, *, with_secret: bool = False
) -> EntityRecord:
    record = store.get(
        kinds.SUBACCOUNT, kinds.subaccount_key(region_host, subaccount), with_secret=with_secret
    )
    if record is None:
        raise NotFound(f"Subaccount with value '{subaccount}@{region_host}' does not exist")
    return record


def require_mapping(store: EntityStore, sa: EntityRecord, mapping_id: str) -> EntityRecord:
    """The system mapping named ``virtualHost:virtualPort`` in the URI."""
    host, sep, port = mapping_id.rpartition(":")
    record = store.get(kinds.SYSTEM_MAPPING, kinds.mapping_key(sa.key, host, port)) if sep else None
    if record is None:
        raise NotFound(f"System mapping with value '{mapping_id}' does not exist")
    return record

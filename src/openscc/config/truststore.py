"""The back-end trust store: trusted CA certificates and the trust-all switch."""

from __future__ import annotations

from openscc import kinds
from openscc.config.values import Fields, Flag
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

FIELDS = Fields(
    Flag(name="trustAllBackends", required=True, description="false: only the listed ones")
)


def trust_all(store: EntityStore) -> bool:
    record = store.get(kinds.TRUSTSTORE, kinds.SINGLETON_KEY)
    return bool(record.body.get("trustAllBackends", False)) if record is not None else False


def set_trust_all(store: EntityStore, value: bool) -> None:
    store.put(
        EntityRecord(
            kind=kinds.TRUSTSTORE,
            key=kinds.SINGLETON_KEY,
            parent=None,
            body={"trustAllBackends": value},
        )
    )


def alias_for(number: int) -> str:
    return f"trustedbackend.{number}.1"  # the product's alias form, as recorded

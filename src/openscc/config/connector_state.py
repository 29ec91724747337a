"""The connector's own settings: description and high-availability role."""

from __future__ import annotations

from openscc import kinds
from openscc.config.values import Fields, String
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

HA_ROLES = ("master", "shadow")

# No cap of its own: the request body's, 1 MiB, bounds the description.
DESCRIPTION_FIELDS = Fields(
    String(name="description", required=True, max_length=1024 * 1024, description='"" clears it')
)


def connector_body(store: EntityStore) -> dict[str, object]:
    record = store.get(kinds.CONNECTOR, kinds.SINGLETON_KEY)
    return {} if record is None else dict(record.body)


def ha_role(store: EntityStore) -> str | None:
    role = connector_body(store).get("haRole")
    return role if isinstance(role, str) else None


def update_connector(store: EntityStore, **changes: object) -> None:
    body = connector_body(store)
    body.update(changes)
    store.put(EntityRecord(kind=kinds.CONNECTOR, key=kinds.SINGLETON_KEY, parent=None, body=body))


def check_archived(record: EntityRecord) -> None:
    """An archive's connector entity, before a restore stores it."""
    if record.body.get("haRole") not in (*HA_ROLES, None):
        raise ValueError("unknown HA role")
    if not isinstance(record.body.get("description", ""), str):
        raise ValueError("description is not a string")

"""The connector's own settings: description and high-availability role."""

from __future__ import annotations

from openscc.snapshot import EntityRecord
from openscc.store.entities import EntityStore

CONNECTOR_KIND = "connector"
UI_CERTIFICATE_KIND = "uiCertificate"
CONNECTOR_KEY = "connector"
HA_ROLES = ("master", "shadow")


def connector_body(store: EntityStore) -> dict[str, object]:
    record = store.get(CONNECTOR_KIND, CONNECTOR_KEY)
    return {} if record is None else dict(record.body)


def ha_role(store: EntityStore) -> str | None:
    role = connector_body(store).get("haRole")
    return role if isinstance(role, str) else None


def update_connector(store: EntityStore, **changes: object) -> None:
    body = connector_body(store)
    body.update(changes)
    store.put(EntityRecord(kind=CONNECTOR_KIND, key=CONNECTOR_KEY, parent=None, body=body))

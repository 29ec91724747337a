"""Applying the master's configuration on a shadow: a whole snapshot, or changes in order.

Each application is one transaction with the position it reaches (generation and seq, in the
instance table), so after a crash or a reconnect the shadow asks for exactly the changes after
the last one it applied: none is lost, none applied twice. Entities that are each instance's own
(kinds.LOCAL_KINDS) are never touched, but for a deleted subaccount's subtree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from openscc import kinds
from openscc.config.connector_state import connector_body
from openscc.ha import replication
from openscc.ha.protocol import Position, WireChange
from openscc.kinds import ENTITY_KINDS
from openscc.store import instance_values, journal
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

_APPLIED = "ha_applied"


def applied(store: EntityStore) -> Position | None:
    """The master's position this shadow's configuration has reached, if any."""
    text = instance_values.read(store.connection, _APPLIED)
    if text is None:
        return None
    data = json.loads(text)
    return Position(str(data["generation"]), int(data["seq"]))


def _reached(store: EntityStore, position: Position) -> None:
    value = json.dumps({"generation": position.generation, "seq": position.seq})
    instance_values.write(store.connection, _APPLIED, value)


def forget_position(store: EntityStore) -> None:
    """Sync the whole configuration again (a new pair, a role change, a 410)."""
    with store.transaction():
        instance_values.remove(store.connection, _APPLIED)


def _merge_connector(store: EntityStore, master_body: dict[str, object]) -> None:
    merged = replication.connector_body(connector_body(store), master_body)
    store.put(EntityRecord(kind=kinds.CONNECTOR, key=kinds.SINGLETON_KEY, parent=None, body=merged))


def apply_snapshot(store: EntityStore, records: Iterable[EntityRecord], position: Position) -> int:
    """Replace every replicated entity with the snapshot's; returns how many were applied. If
    reading the snapshot fails (it is checked as it is read), nothing changes."""
    master_connector: dict[str, object] = {}

    def entities() -> Iterator[EntityRecord]:
        for record in records:
            if record.kind == kinds.CONNECTOR:
                master_connector.update(record.body)
                continue
            yield record

    with store.transaction():
        conn = store.connection
        for kind in sorted(ENTITY_KINDS):
            if kind in kinds.LOCAL_KINDS or kind == kinds.CONNECTOR:
                continue
            if kind == kinds.PENDING_CSR:
                conn.execute(
                    "DELETE FROM entity WHERE kind = ? AND key != ?", (kind, kinds.UI_CERTIFICATE)
                )
            else:
                conn.execute("DELETE FROM entity WHERE kind = ?", (kind,))
        count = store.insert_many(entities())
        _merge_connector(store, master_connector)
        _reached(store, position)
    return count + 1


def apply_changes(store: EntityStore, changes: list[WireChange], position: Position) -> None:
    """Apply the changes, in order, and reach ``position``, all in one transaction."""
    with store.transaction():
        for change in changes:
            _apply(store, change)
        _reached(store, position)


def _apply(store: EntityStore, change: WireChange) -> None:
    op, kind, key = change.op, change.kind, change.key
    if op == journal.DELETE_SUBTREE:
        store.delete_subtree(key)
        return
    assert kind is not None  # decode_change checked it
    if kind == kinds.CONNECTOR:
        if change.body is not None:
            _merge_connector(store, json.loads(change.body))
        return
    if op == journal.PUT:
        store.put(
            EntityRecord(
                kind=kind,
                key=key,
                parent=change.parent,
                body_json=change.body or "{}",
                secret=change.secret,
            )
        )
    elif op == journal.BODY:
        store.update_body(kind, key, json.loads(change.body or "{}"))
    elif op == journal.DELETE:
        store.delete(kind, key)
    elif op == journal.DELETE_CHILDREN:
        store.delete_children(kind, key)

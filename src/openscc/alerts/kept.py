"""The alerts kept, in the database (``kept_alert``; openscc.store.installation): an alert in
force survives a restart, so it is neither forgotten nor e-mailed again when the same condition
is found after the restart. One row per alert key (type, entity), as in the AlertBook.

On the store's connection: in the store thread, or before the server serves.
"""

from __future__ import annotations

from openscc.alerts.model import MAX_KEPT, Alert
from openscc.store.entities import EntityStore


def load(store: EntityStore) -> list[Alert]:
    """The alerts kept, oldest first."""
    rows = store.connection.execute(
        "SELECT timestamp, status, type, origin, message, entity FROM kept_alert ORDER BY seq"
    ).fetchall()
    return [
        Alert(timestamp=int(ts), status=status, type=kind, origin=origin, message=message,
              entity=entity)
        for ts, status, kind, origin, message, entity in rows
    ]  # fmt: skip


def save(store: EntityStore, alert: Alert, capacity: int = MAX_KEPT) -> None:
    """Keep ``alert`` in place of the alert of its key, as the newest; the oldest beyond
    ``capacity`` go."""
    with store.transaction():
        conn = store.connection
        conn.execute(
            "INSERT INTO kept_alert (type, entity, seq, timestamp, status, origin, message) "
            "VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM kept_alert), ?, ?, ?, ?) "
            "ON CONFLICT (type, entity) DO UPDATE SET seq = excluded.seq, "
            "timestamp = excluded.timestamp, status = excluded.status, "
            "origin = excluded.origin, message = excluded.message",
            (alert.type, alert.entity, alert.timestamp, alert.status, alert.origin,
             alert.message),
        )  # fmt: skip
        conn.execute(
            "DELETE FROM kept_alert WHERE seq <= (SELECT max(seq) FROM kept_alert) - ?",
            (capacity,),
        )

"""A backup is one consistent snapshot: concurrent transactions are wholly in it or wholly absent."""

from __future__ import annotations

import io
import threading

from openscc.backup.archive import read_archive
from openscc.backup.create import create_backup
from openscc.config.connector_state import update_connector
from openscc.store.records import EntityRecord
from support.archives import checked_records
from support.in_process import InProcessServer


def test_backups_taken_during_writes_never_hold_half_a_transaction(
    connector: InProcessServer,
) -> None:
    """Each writer transaction sets two entities to the same number; every backup agrees on it."""
    instance = connector.instance
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with instance.store.transaction():
                update_connector(instance.store, description=str(n))
                instance.store.put(
                    EntityRecord(kind="testMarker", key="m", parent=None, body={"n": str(n)})
                )

    thread = threading.Thread(target=writer)
    thread.start()
    seen = []
    try:
        for _ in range(15):
            buffer = io.BytesIO()
            create_backup(instance, "pw", buffer)
            buffer.seek(0)
            records = list(
                checked_records(read_archive(buffer, password="pw", product_version="999"))
            )
            description = next(r.body["description"] for r in records if r.kind == "connector")
            marker = next((r.body["n"] for r in records if r.kind == "testMarker"), "")
            seen.append((description, marker))
    finally:
        stop.set()
        thread.join()

    assert all(d == m for d, m in seen if m)
    assert len({d for d, _ in seen}) > 1  # the writer really ran during the backups

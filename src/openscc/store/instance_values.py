"""The ``instance`` table: named values of this installation (its id, the journal's generation,
its high-availability pair, link and applied position). The one place that reads and writes it
(call inside a transaction when the write must go with others)."""

from __future__ import annotations

import sqlite3

INSTANCE_ID = "id"  # this installation's id, made at its first start and never in a backup


def read(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT value FROM instance WHERE name = ?", (name,)).fetchone()
    return None if row is None else str(row[0])


def write(conn: sqlite3.Connection, name: str, value: str) -> None:
    conn.execute(
        "INSERT INTO instance (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def remove(conn: sqlite3.Connection, *names: str) -> None:
    conn.executemany("DELETE FROM instance WHERE name = ?", [(name,) for name in names])

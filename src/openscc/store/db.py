"""Opening the SQLite database with the settings every connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openscc.store.migrations import migrate

DB_FILE = "config.db"
# Files SQLite keeps beside the database; a restore removes them with it.
DB_SIDE_FILES = ("config.db-wal", "config.db-shm", "config.db-journal")


def connect(
    path: Path, *, migrate_schema: bool = True, busy_timeout_ms: int = 10_000
) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
    )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if migrate_schema:
        migrate(conn)
    return conn

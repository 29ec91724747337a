"""Opening the SQLite database with the settings every connection needs."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from openscc.store.migrations import migrate

DB_FILE = "config.db"
# 16 KiB pages: entities are long-keyed rows of about 1 KB, and with the default 4 KiB pages a
# restore's bulk insert spends a quarter more time splitting pages. A page size is fixed when a
# database is created; an existing one keeps its own until a restore replaces it.
PAGE_SIZE = 16 * 1024
# Files SQLite keeps beside the database; a restore removes them with it.
DB_SIDE_FILES = ("config.db-wal", "config.db-shm", "config.db-journal")


def connect(
    path: Path, *, migrate_schema: bool = True, busy_timeout_ms: int = 10_000
) -> sqlite3.Connection:
    # SQLite gives its -wal and -shm files the database file's mode: 0600 here, whatever the
    # process umask (the CLI sets 0077; a library user may not).
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
    )
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before WAL: only a new file takes it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if migrate_schema:
        migrate(conn)
    return conn

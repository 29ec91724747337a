"""Opening the SQLite database with the settings every connection needs."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from openscc.store.migrations import migrate

# 16 KiB pages: entities are long-keyed rows of about 1 KB, and with the default 4 KiB pages a
# restore's bulk insert spends a quarter more time splitting pages. A page size is fixed when a
# database is created; an existing one keeps its own until a restore replaces it.
PAGE_SIZE = 16 * 1024
# SQLite's primary result codes (the low byte of an extended code) for "another connection
# holds the lock".
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


def is_busy(error: sqlite3.Error) -> bool:
    """Whether ``error`` says the database stayed locked by another connection."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def connect(
    path: Path, *, migrate_schema: bool = True, busy_timeout_ms: int = 10_000
) -> sqlite3.Connection:
    conn = sqlite3.connect(  # creates the file if there is none
        path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
    )
    keep_private(path)
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before WAL: only a new file takes it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if migrate_schema:
        migrate(conn)
    return conn


def keep_private(path: Path) -> None:
    """Give a database file mode 0600 (SQLite gives its -wal and -shm files the database's mode),
    whatever the process umask (the CLI sets 0077; a library user may not).

    By path, never through a descriptor: this process may hold SQLite connections on the file,
    and closing *any* descriptor on it would drop every POSIX lock SQLite holds on it (SQLite's
    "How To Corrupt An SQLite Database File", 2.2). Another process would then take itself for
    the last user, checkpoint and delete the WAL under this one: acknowledged writes lost.
    """
    if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
        os.chmod(path, 0o600)

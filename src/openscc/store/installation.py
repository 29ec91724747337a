"""The installation's own state in the database: what a restore does not replace.

The database holds the configuration (the ``entity`` table, which backups carry and a restore
replaces) and the state of this installation: its high-availability pair, the runs of its backup
schedules, its backup history and its alerts. That state is never in an archive and never
replicated; when a restore replaces the database file, it is carried from the old file into the
new one at that moment (``carry_installation_state``), so nothing recorded up to the restart is
lost.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openscc.store.db import keep_private
from openscc.store.migrations import migrate

# Rows of the ``instance`` table that belong to the installation: the pair it is in, and whether
# a shadow keeps its link (the rest, such as the replication journal's generation, starts anew).
INSTALLATION_ROWS = ("ha_pair", "ha_link")
# Tables wholly the installation's (created by the migrations).
INSTALLATION_TABLES = ("backup_run", "schedule_last_run", "backup_outcome", "kept_alert")

# The statements, from the names above only (never from input).
_ROWS = f"name IN ({', '.join('?' for _ in INSTALLATION_ROWS)})"
_CLEAR = [
    f"DELETE FROM main.instance WHERE {_ROWS}",  # noqa: S608
    *(f"DELETE FROM main.{table}" for table in INSTALLATION_TABLES),  # noqa: S608
]
_COPY = [
    f"INSERT INTO main.instance (name, value) SELECT name, value FROM live.instance WHERE {_ROWS}",  # noqa: S608
    *(f"INSERT INTO main.{table} SELECT * FROM live.{table}" for table in INSTALLATION_TABLES),  # noqa: S608
]


def carry_installation_state(live: Path, staged: Path) -> None:
    """Copy the installation's state from the live database into the staged one, replacing
    what the staged one has of it: one transaction, so repeating it after a crash is harmless.

    Both files are opened through SQLite only (the live one's WAL is read and checkpointed as
    SQLite does), with no other connection on either: the caller holds the store lock
    exclusively.
    """
    conn = sqlite3.connect(staged, isolation_level=None)
    try:
        keep_private(staged)
        # A rollback journal for this one change (the staged file was built without one): a
        # crash half-way is rolled back when the file is next opened.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn)  # staged by an older openscc: bring it to this schema first
        if live.exists():
            _migrate_file(live)
            conn.execute("ATTACH DATABASE ? AS live", (str(live),))
        conn.execute("BEGIN IMMEDIATE")
        for statement in _CLEAR:
            conn.execute(statement, INSTALLATION_ROWS if "?" in statement else ())
        if live.exists():
            for statement in _COPY:
                conn.execute(statement, INSTALLATION_ROWS if "?" in statement else ())
        conn.execute("COMMIT")
    finally:
        conn.close()


def _migrate_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn)
    finally:
        conn.close()

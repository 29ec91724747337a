"""Ordered schema migrations, tracked in ``PRAGMA user_version``."""

from __future__ import annotations

import sqlite3

# Each entry upgrades the schema from version (index) to version (index + 1). Append only.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE entity (
        kind   TEXT NOT NULL,
        key    TEXT NOT NULL,
        parent TEXT,
        seq    INTEGER NOT NULL,
        body   TEXT NOT NULL,
        secret BLOB,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE INDEX entity_by_parent ON entity (kind, parent, seq);
    CREATE TABLE instance (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # The change journal a shadow replays (openscc.store.journal).
    """
    CREATE TABLE ha_change (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        op     TEXT NOT NULL,
        kind   TEXT,
        key    TEXT NOT NULL,
        parent TEXT,
        body   TEXT,
        secret BLOB
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version found before."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database schema ({found}) is newer than this openscc ({SCHEMA_VERSION})"
        )
    for version in range(found, SCHEMA_VERSION):
        with conn:
            conn.executescript(
                f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;"
            )
    return found

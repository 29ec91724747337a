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
    # The installation's own records (openscc.store.installation): never in a backup, never
    # replicated, carried across a restore. Until this version they were JSON files beside the
    # database (backup-runs.json, backup-history.json; imported once) or only in memory (alerts).
    """
    CREATE TABLE backup_run (
        seq      INTEGER PRIMARY KEY,
        id       TEXT NOT NULL UNIQUE,
        schedule TEXT NOT NULL,
        status   TEXT NOT NULL,
        body     TEXT NOT NULL
    );
    CREATE TABLE schedule_last_run (
        schedule TEXT PRIMARY KEY,
        at       TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE backup_outcome (
        operation     TEXT PRIMARY KEY,
        last_success  REAL NOT NULL,
        last_failure  REAL NOT NULL,
        last_size     INTEGER NOT NULL,
        last_duration REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE kept_alert (
        type      TEXT NOT NULL,
        entity    TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        status    TEXT NOT NULL,
        origin    TEXT NOT NULL,
        message   TEXT NOT NULL,
        PRIMARY KEY (type, entity)
    ) WITHOUT ROWID;
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

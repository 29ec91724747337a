"""Schema migrations: from any earlier version to the current one, keeping the data, each step
atomic; a database from a newer openscc is refused rather than misread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from openscc.store import migrations
from openscc.store.migrations import MIGRATIONS, SCHEMA_VERSION, migrate


def _database(path: Path, version: int) -> sqlite3.Connection:
    """A database with the first ``version`` migrations applied and an entity written."""
    conn = sqlite3.connect(path, isolation_level=None)
    for step in range(version):
        conn.executescript(f"BEGIN; {MIGRATIONS[step]}; PRAGMA user_version = {step + 1}; COMMIT;")
    if version >= 1:
        conn.execute(
            "INSERT INTO entity (kind, key, parent, seq, body, secret) "
            "VALUES ('connector', 'connector', NULL, 1, '{\"description\":\"kept\"}', NULL)"
        )
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows} - {"sqlite_sequence"}


@pytest.mark.parametrize("start", range(SCHEMA_VERSION + 1))
def test_every_earlier_version_migrates_to_the_current_one_keeping_its_data(
    tmp_path: Path, start: int
) -> None:
    conn = _database(tmp_path / "config.db", start)

    found = migrate(conn)

    assert found == start
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"entity", "instance", "ha_change", "backup_run", "kept_alert"} <= _tables(conn)
    if start >= 1:
        body = conn.execute("SELECT body FROM entity WHERE kind = 'connector'").fetchone()[0]
        assert body == '{"description":"kept"}'
    assert migrate(conn) == SCHEMA_VERSION  # a second time changes nothing


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = _database(tmp_path / "config.db", SCHEMA_VERSION)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(RuntimeError, match="newer than this openscc"):
        migrate(conn)


def test_a_failing_step_leaves_the_database_at_the_version_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = _database(tmp_path / "config.db", SCHEMA_VERSION)
    broken = "CREATE TABLE half_made (x INTEGER); INSERT INTO no_such_table VALUES (1)"
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)

    assert not conn.in_transaction
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half_made" not in _tables(conn)

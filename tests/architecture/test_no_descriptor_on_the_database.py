"""No code in a process that holds SQLite connections opens a descriptor on a database file.

POSIX advisory locks belong to the process: closing *any* descriptor on a file drops every lock
SQLite holds on it (SQLite's "How To Corrupt An SQLite Database File", 2.2). Another process
(``openscc users`` beside the server) then takes itself for the database's last user,
checkpoints and deletes the WAL the server still writes to: acknowledged changes are lost.

SQLite opens its files in C, out of Python's sight; every open by Python code (``open``,
``os.open``, ``Path.touch``, ...) raises the ``open`` audit event. A hook records each one whose
file is a database file while the server does everything that opens the database: backups, dry
runs, a partial restore, an HA snapshot, an alert's e-mail check, a scheduled run, the users
command beside it, and a full restore applied by the restart.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from openscc.cli import cli
from openscc.ha.protocol import write_snapshot
from support.in_process import BACKUP_PASSWORD, InProcessServer
from support.populate import populate_every_kind
from support.schedules import SCHEDULES, run_now

DATABASE_FILES = {"config.db", "config.db-wal", "config.db-shm", "config.db-journal"}
_watching = threading.Event()
_opened: list[str] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _watching.is_set():
        return
    path = args[0]
    if isinstance(path, int):
        return  # a descriptor given to open(): the open that made it was seen already
    name = os.path.basename(os.fsdecode(path))
    if name in DATABASE_FILES:
        where = "".join(traceback.format_stack(limit=6)[:-1])
        _opened.append(f"{os.fsdecode(path)}\n{where}")


# An audit hook cannot be removed: it is added once per process and stays inert unless watching.
sys.addaudithook(_hook)


@pytest.fixture
def opened_database_files() -> Iterator[list[str]]:
    _opened.clear()
    _watching.set()
    try:
        yield _opened
    finally:
        _watching.clear()


def test_the_watch_sees_a_descriptor_opened_on_the_database(
    tmp_path: Path, opened_database_files: list[str]
) -> None:
    """The hook itself: the pattern that lost writes (os.open, then close) is caught."""
    database = tmp_path / "config.db"
    database.touch()
    os.close(os.open(database, os.O_RDONLY))
    with open(database, "rb"):
        pass

    assert len(opened_database_files) == 3


def test_nothing_the_server_does_opens_a_descriptor_on_its_database(
    tmp_path: Path, opened_database_files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    data_dir = tmp_path / "data"
    with InProcessServer(data_dir, mode="restart") as server:
        admin = server.http
        admin.auth = server.auth
        populate_every_kind(admin)
        archive = server.backup()
        assert server.restore(archive, dry_run=True).status_code == 200
        region, subaccount = _first_subaccount(admin)
        partial = admin.put(
            "/api/openscc/v1/backup/partial",
            files={"backup": ("b.zip", archive)},
            data={"password": BACKUP_PASSWORD, "subaccounts": f"{region}/{subaccount}"},
        )
        assert partial.status_code == 200, partial.text
        with open(os.devnull, "wb") as sink:
            write_snapshot(server.instance, "token", sink)  # type: ignore[arg-type]
        server.app.state.services.alerts.raise_alert("Backup", "a test alert")
        assert server.app.state.services.alerts.wait_idle(10)
        target = tmp_path / "backups"
        target.mkdir()
        created = admin.post(SCHEDULES, json={
            "name": "descriptor-watch", "cron": "0 0 1 1 *", "password": BACKUP_PASSWORD,
            "target": {"type": "directory", "path": str(target)}})  # fmt: skip
        assert created.status_code == 201, created.text
        assert run_now(admin, "descriptor-watch")["status"] == "succeeded"
        for args, given in ((["list"], None), (["add", "watcher", "--role", "sccdisplay"],
                            "Watcher-pa55word\n")):  # fmt: skip
            result = CliRunner().invoke(
                cli, ["users", *args, "--data-dir", str(data_dir)], input=given
            )
            assert result.exit_code == 0, result.output
        assert server.restore(archive).status_code == 204
        assert server.restarts == 1  # the restore was applied by the restart

    assert opened_database_files == []


def _first_subaccount(admin: Any) -> tuple[str, str]:
    first = admin.get("/api/v1/configuration/subaccounts").json()[0]
    return first["regionHost"], first["subaccount"]

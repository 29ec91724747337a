"""The installation's own records (the runs of its schedules, its backup figures, its alerts) are
in the database: they survive a restart, a restore carries them into the restored database
instead of replacing them, and the JSON files of an older openscc are taken over once."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from openscc.backup.restore_apply import apply_pending_restore
from openscc.instance import open_instance
from openscc.schedules.runs import (
    FAILED,
    KEEP_RUNS,
    RUNNING,
    STOPPED_DURING_RUN,
    SUCCEEDED,
    Run,
    RunLog,
)
from openscc.settings import Settings
from openscc.store.installation import INSTALLATION_TABLES, carry_installation_state
from support.apps import ADMIN_PASSWORD
from support.in_process import InProcessServer
from support.schedules import RUNS, SCHEDULES, run_now

ALERTS = "/api/monitoring/alerts"


def _initialised(data_dir: Path) -> Settings:
    """An instance as the tests' servers start it: the Administrator has ADMIN_PASSWORD."""
    settings = Settings(data_dir=data_dir, kdf_profile="test", admin_password=ADMIN_PASSWORD)
    open_instance(settings).close()
    return settings


def _metric(text: str, name: str, operation: str) -> float:
    prefix = f'{name}{{operation="{operation}"}} '
    [line] = [line for line in text.splitlines() if line.startswith(prefix)]
    return float(line.removeprefix(prefix))


def _records(server: InProcessServer, tmp_path: Path) -> dict[str, Any]:
    """Make one of each record: a scheduled run, a backup's figures, an alert."""
    admin = server.http
    admin.auth = server.auth
    target = tmp_path / "backups"
    target.mkdir(exist_ok=True)
    created = admin.post(SCHEDULES, json={"name": "kept", "cron": "0 0 1 1 *",
        "password": "Kept-pa55word", "target": {"type": "directory", "path": str(target)}})  # fmt: skip
    assert created.status_code == 201, created.text
    run = run_now(admin, "kept")
    assert run["status"] == "succeeded"
    server.app.state.services.alerts.raise_alert("Backup", "kept across restarts")
    return {"run": run}


def _seen(server: InProcessServer) -> dict[str, Any]:
    admin = server.http
    admin.auth = server.auth
    metrics = admin.get("/metrics").text
    return {
        "runs": [r["id"] for r in admin.get(RUNS).json()],
        "alerts": [a["message"] for a in admin.get(ALERTS).json()["alerts"]],
        "last_backup": _metric(metrics, "openscc_backup_last_success_timestamp_seconds", "backup"),
    }


def test_runs_figures_and_alerts_survive_a_restart(tmp_path: Path) -> None:
    with InProcessServer(tmp_path / "data") as server:
        made = _records(server, tmp_path)
        server.restart()
        seen = _seen(server)

    assert seen["runs"] == [made["run"]["id"]]
    assert "kept across restarts" in seen["alerts"]
    assert seen["last_backup"] > 0


def test_a_restore_keeps_the_installation_records_it_does_not_carry(tmp_path: Path) -> None:
    with InProcessServer(tmp_path / "data") as server:
        archive = server.backup()  # before any record: the archive has none (it never does)
        made = _records(server, tmp_path)
        assert server.restore(archive).status_code == 204
        assert server.restart()  # the restore was applied
        seen = _seen(server)
        restore_time = _metric(
            server.http.get("/metrics").text,
            "openscc_backup_last_success_timestamp_seconds",
            "restore",
        )

    assert seen["runs"] == [made["run"]["id"]]
    assert "kept across restarts" in seen["alerts"]
    assert seen["last_backup"] > 0
    assert restore_time > 0


def test_a_run_cut_off_by_a_stop_is_marked_so(tmp_path: Path) -> None:
    settings = _initialised(tmp_path / "data")
    instance = open_instance(settings)
    with instance.store.transaction():
        instance.store.connection.execute(
            "INSERT INTO backup_run (id, schedule, status, body) VALUES ('r1', 's', ?, ?)",
            (RUNNING, json.dumps({"id": "r1", "schedule": "s", "status": RUNNING})),
        )
    instance.close()

    with InProcessServer(settings.data_dir) as server:
        admin = server.http
        [run] = admin.get(RUNS, auth=server.auth).json()

    assert (run["status"], run["error"]) == ("interrupted", STOPPED_DURING_RUN)


def test_the_json_files_of_an_older_openscc_are_taken_over_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _initialised(data_dir)
    runs = [{"id": f"old{n}", "schedule": "nightly", "status": "succeeded",
             "startedAt": f"2026-11-0{n}T02:00:00Z"} for n in (2, 1)]  # newest first  # fmt: skip
    (data_dir / "backup-runs.json").write_text(
        json.dumps({"runs": runs, "lastRun": {"nightly": "2026-11-02T02:00:00Z"}})
    )
    (data_dir / "backup-history.json").write_text(json.dumps({"backup": {
        "last_success": 1700000000.5, "last_failure": 0, "last_size": 123,
        "last_duration": 1.5}}))  # fmt: skip

    with InProcessServer(data_dir) as server:
        seen = _seen(server)
        last = server.app.state.services.schedules.last_runs()
        server.restart()  # a second start imports nothing more
        again = _seen(server)

    assert seen["runs"] == ["old2", "old1"] == again["runs"]
    assert seen["last_backup"] == 1700000000.5
    assert last["nightly"].isoformat() == "2026-11-02T02:00:00+00:00"
    assert not (data_dir / "backup-runs.json").exists()
    assert not (data_dir / "backup-history.json").exists()


def test_a_runs_file_that_is_not_an_object_does_not_stop_the_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _initialised(data_dir)
    (data_dir / "backup-runs.json").write_text("[]")
    (data_dir / "backup-history.json").write_text("not json")

    with InProcessServer(data_dir) as server:
        assert server.http.get(RUNS, auth=server.auth).json() == []


def test_carrying_again_after_a_crash_gives_the_same_database(tmp_path: Path) -> None:
    """Applying is repeated from the start after a crash: carrying twice equals carrying once."""
    with InProcessServer(tmp_path / "data") as server:
        archive = server.backup()
        _records(server, tmp_path)
        assert server.restore(archive).status_code == 204
    data_dir = (tmp_path / "data").resolve()
    settings = Settings(data_dir=data_dir, kdf_profile="test")
    staged = data_dir / "restore-staging" / "config.db"
    carry_installation_state(data_dir / "config.db", staged)
    once = _tables(staged)
    assert apply_pending_restore(settings)  # carries again, then swaps
    assert _tables(data_dir / "config.db") == once
    assert all(once[table] for table in ("backup_run", "kept_alert", "backup_outcome"))


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
            for table in INSTALLATION_TABLES
        }
    finally:
        conn.close()


def test_the_run_log_keeps_the_newest_runs(tmp_path: Path) -> None:
    instance = open_instance(Settings(data_dir=tmp_path / "data", kdf_profile="test"))
    try:
        log = RunLog(instance.store)
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for n in range(KEEP_RUNS + 5):
            log.started(Run(schedule="s", startedAt=str(n), target="t", id=f"r{n}"), at)
        kept = log.runs()
    finally:
        instance.close()

    assert len(kept) == KEEP_RUNS
    assert kept[0]["id"] == f"r{KEEP_RUNS + 4}"


def test_the_run_log_keeps_each_schedules_newest_run_and_success(tmp_path: Path) -> None:
    """A daily schedule among frequent ones: its last success and its last run stay, however
    many runs the others make."""
    instance = open_instance(Settings(data_dir=tmp_path / "data", kdf_profile="test"))
    try:
        log = RunLog(instance.store)
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        success = Run(schedule="daily", startedAt="0", target="t", id="good")
        log.started(success, at)
        success.status = SUCCEEDED
        log.finished(success)
        log.started(Run(schedule="daily", startedAt="1", target="t", id="bad", status=FAILED), at)
        for n in range(KEEP_RUNS + 5):
            log.started(Run(schedule="hourly", startedAt=str(n), target="t", id=f"r{n}"), at)
        kept = [run["id"] for run in log.runs()]
    finally:
        instance.close()

    assert kept[-2:] == ["bad", "good"]
    assert len(kept) == KEEP_RUNS + 2

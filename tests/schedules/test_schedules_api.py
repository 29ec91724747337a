"""Scheduled backups through openscc's own API, in process, to a directory: the schedule's
secrets never answered, a run verified at the target, retention over simulated days, a failing
target raising the alert, the missed-run rule at start-up, runs that never overlap."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc import __version__
from openscc.backup.archive import read_archive
from openscc.schedules import targets
from openscc.schedules.scheduler import Scheduler
from support.schedules import RUNS, SCHEDULES, finished

PASSWORD = "Scheduled-pa55word"
NEVER = "0 0 1 1 *"  # not during a test


def _schedule(path: Path, name: str = "nightly", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "cron": NEVER,
        "target": {"type": "directory", "path": str(path)},
        "password": PASSWORD,
        **more,
    }


def _scheduler(app: Starlette) -> Scheduler:
    return app.state.services.schedules  # type: ignore[no-any-return]


def test_a_schedule_never_answers_its_password_and_bad_ones_are_refused(
    admin: TestClient, tmp_path: Path
) -> None:
    body = _schedule(tmp_path, keep={"last": 3})
    body["target"] = {
        "type": "s3",
        "bucket": "b",
        "accessKeyId": "AKIA1",
        "secretAccessKey": "key-secret",
    }
    created = admin.post(SCHEDULES, json=body)
    assert created.status_code == 201, created.text
    assert created.headers["location"].endswith(f"{SCHEDULES}/nightly")
    for answer in (created, admin.get(SCHEDULES), admin.get(f"{SCHEDULES}/nightly")):
        assert PASSWORD not in answer.text
        assert "key-secret" not in answer.text
        assert "AKIA1" not in answer.text
    assert admin.get(f"{SCHEDULES}/nightly").json()["target"]["credentials"] == "stored"
    assert admin.post(SCHEDULES, json=body).status_code == 409
    for bad in (
        {**_schedule(tmp_path), "cron": "every night"},
        {**_schedule(tmp_path), "name": "no spaces please"},
        {**_schedule(tmp_path), "password": ""},
        {**_schedule(tmp_path), "target": {"type": "directory", "path": "relative/path"}},
        {**_schedule(tmp_path), "target": {"type": "ftp"}},
        {**_schedule(tmp_path), "keep": {"yearly": 1}},
    ):
        refused = admin.post(SCHEDULES, json={**bad, "name": bad.get("name", "other")})
        assert refused.status_code == 400, bad
        assert refused.json()["type"] == "INVALID_REQUEST"
    # A PUT without the password keeps the stored one.
    changed = admin.put(
        f"{SCHEDULES}/nightly", json={"cron": "30 1 * * *", "target": body["target"]}
    )
    assert changed.status_code == 200, changed.text
    assert admin.get(f"{SCHEDULES}/nightly").json()["cron"] == "30 1 * * *"
    assert admin.delete(f"{SCHEDULES}/nightly").status_code == 204
    assert admin.get(f"{SCHEDULES}/nightly").status_code == 404
    audit = (admin.app.state.services.instance.data_dir / "audit.log").read_text()  # type: ignore[attr-defined]
    assert PASSWORD not in audit
    assert "key-secret" not in audit


def test_a_run_ships_a_verified_archive_that_restores_with_the_password(
    admin: TestClient, tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    assert admin.post(SCHEDULES, json=_schedule(target)).status_code == 201

    started = admin.post(f"{SCHEDULES}/nightly/run")

    assert started.status_code == 202
    run = finished(admin, started.json()["id"])
    assert run["status"] == "succeeded", run
    shipped = Path(run["object"])
    assert shipped.parent == target
    origin = targets.origin_of(admin.app.state.services.instance.instance_id)  # type: ignore[attr-defined]
    assert targets.made_by("nightly", origin, shipped.name) is not None
    assert shipped.stat().st_size == run["size"]
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == run["sha256"]
    with shipped.open("rb") as src:
        reader = read_archive(src, password=PASSWORD, product_version=__version__)
        assert sum(1 for _ in reader.records()) > 0
    assert [p.name for p in target.iterdir()] == [shipped.name]  # no temporary file left


def test_retention_over_simulated_days_deletes_only_its_own_archives(
    admin_app: Starlette, admin: TestClient, tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    (target / "notes.txt").write_text("not ours")
    (target / "openscc-other-20260101T000000Z.zip").write_text("another schedule's")
    admin.post(SCHEDULES, json=_schedule(target, keep={"last": 2, "daily": 3}))
    scheduler = _scheduler(admin_app)
    schedule = scheduler.one("nightly")
    start = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)
    for day in range(6):
        for hour in (2, 14):
            now = start + dt.timedelta(days=day, hours=hour - 2)
            run = scheduler.runner.begin(schedule, now)
            assert scheduler.runner.run(schedule, run, now).status == "succeeded"

    names = sorted(p.name for p in target.iterdir())

    origin = targets.origin_of(admin_app.state.services.instance.instance_id)
    assert names == [
        "notes.txt",
        f"openscc-nightly-{origin}-20261104T140000Z.zip",  # newest of day 4
        f"openscc-nightly-{origin}-20261105T140000Z.zip",  # newest of day 5
        f"openscc-nightly-{origin}-20261106T020000Z.zip",  # the last two
        f"openscc-nightly-{origin}-20261106T140000Z.zip",
        "openscc-other-20260101T000000Z.zip",
    ]


def test_a_failing_target_fails_the_run_and_raises_the_alert(
    admin: TestClient, tmp_path: Path
) -> None:
    missing = tmp_path / "not-there"
    admin.post(SCHEDULES, json=_schedule(missing))

    run = finished(admin, admin.post(f"{SCHEDULES}/nightly/run").json()["id"])

    assert run["status"] == "failed"
    assert "does not exist" in run["error"]
    alerts = admin.get("/api/monitoring/alerts").json()["alerts"]
    assert any("nightly failed" in a["message"] for a in alerts), alerts
    audit = (admin.app.state.services.instance.data_dir / "audit.log").read_text()  # type: ignore[attr-defined]
    assert "backup.schedule_failed" in audit
    metrics = admin.get("/metrics").text
    assert 'openscc_backup_operations_total{operation="backup",outcome="failure"} 1.0' in metrics
    assert list(tmp_path.glob("**/*.partial")) == []


@pytest.mark.parametrize("down_hours", [0.5, 5])
def test_a_restart_runs_a_missed_time_once(
    admin_app: Starlette, admin: TestClient, tmp_path: Path, down_hours: float
) -> None:
    """Hourly; the last run at 08:00; the server was down. At start-up: due once if an hour
    passed, and after that run not due again."""
    target = tmp_path / "backups"
    target.mkdir()
    admin.post(SCHEDULES, json={**_schedule(target), "cron": "0 * * * *"})
    scheduler = _scheduler(admin_app)
    schedule = scheduler.one("nightly")
    last = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    scheduler.runner.begin(schedule, last)
    now = last + dt.timedelta(hours=down_hours, minutes=1)

    due = scheduler.due([schedule], now, scheduler.last_runs())

    assert len(due) == (1 if down_hours > 1 else 0)
    if due:
        run = scheduler.runner.begin(schedule, now)
        scheduler.runner.run(schedule, run, now)
        assert scheduler.due([schedule], now, scheduler.last_runs()) == []


def test_runs_never_overlap_and_a_queued_run_is_refused(
    admin_app: Starlette, admin: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    for name in ("first", "second", "third"):
        admin.post(SCHEDULES, json=_schedule(target, name=name))
    at_once, most = [0], [0]
    guard = threading.Lock()
    release = threading.Event()  # the first upload holds until the test has asked again
    real = targets.DirectoryTarget.ship

    def held_ship(self: targets.DirectoryTarget, *args: Any) -> str:
        with guard:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        release.wait(60)
        try:
            return real(self, *args)
        finally:
            with guard:
                at_once[0] -= 1

    monkeypatch.setattr(targets.DirectoryTarget, "ship", held_ship)

    ids = [admin.post(f"{SCHEDULES}/{n}/run").json()["id"] for n in ("first", "second", "third")]
    again = admin.post(f"{SCHEDULES}/first/run")  # the first run has not ended: refused
    release.set()

    assert again.status_code == 409
    assert [finished(admin, i)["status"] for i in ids] == ["succeeded"] * 3
    assert most[0] == 1


def test_each_timed_run_takes_its_own_time(
    admin_app: Starlette, admin: TestClient, tmp_path: Path
) -> None:
    """Two schedules due in one tick: the second's time is when it starts, not the tick's."""
    target = tmp_path / "backups"
    target.mkdir()
    for name in ("a", "b"):
        admin.post(SCHEDULES, json={**_schedule(target, name=name), "cron": "0 * * * *"})
    current = _scheduler(admin_app)
    ticks = iter(dt.datetime(2030, 1, 1, 5, 0, s, tzinfo=dt.UTC) for s in range(0, 60, 10))
    timed = Scheduler(
        admin_app.state.services.instance,
        admin_app.state.services.store_thread,
        current.runner,
        clock=lambda: next(ticks),
    )

    asyncio.run(timed.tick())

    started = sorted(r["startedAt"] for r in admin.get(RUNS).json())
    assert started == ["2030-01-01T05:00:10Z", "2030-01-01T05:00:20Z"]


def test_stored_keys_are_not_kept_for_another_store(admin: TestClient, tmp_path: Path) -> None:
    target = {"type": "s3", "bucket": "b", "endpoint": "https://one.example",
              "accessKeyId": "AKIA1", "secretAccessKey": "key-secret"}  # fmt: skip
    admin.post(SCHEDULES, json={**_schedule(tmp_path), "target": target})
    same = {k: v for k, v in target.items() if k not in ("accessKeyId", "secretAccessKey")}
    admin.put(f"{SCHEDULES}/nightly", json={"cron": NEVER, "target": same})
    assert admin.get(f"{SCHEDULES}/nightly").json()["target"]["credentials"] == "stored"

    moved = {**same, "endpoint": "https://elsewhere.example"}
    admin.put(f"{SCHEDULES}/nightly", json={"cron": NEVER, "target": moved})

    assert admin.get(f"{SCHEDULES}/nightly").json()["target"]["credentials"] == "environment"

"""Backup schedules attacked: a symbolic link planted in a directory target, two instances
sharing a target, an object-store endpoint the store client cannot parse."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc import kinds
from openscc.schedules.targets import archive_name, origin_of
from support.apps import make_client
from support.in_process import InProcessServer
from support.schedules import RUNS, SCHEDULES, finished, run_now

PASSWORD = "Scheduled-pa55word"
NEVER = "0 0 1 1 *"
WHEN = dt.datetime(2030, 1, 1, 2, 0, tzinfo=dt.UTC)


def _directory_schedule(target: Path, **more: object) -> dict[str, object]:
    return {"name": "nightly", "cron": NEVER, "password": PASSWORD,
            "target": {"type": "directory", "path": str(target)}, **more}  # fmt: skip


def _run_at(app: Starlette, when: dt.datetime) -> dict[str, object]:
    scheduler = app.state.services.schedules
    schedule = scheduler.one("nightly")
    run = scheduler.runner.run(schedule, scheduler.runner.begin(schedule, when), when)
    return {"status": run.status, "error": run.error, "object": run.object}


def test_a_link_planted_at_a_temporary_or_final_name_never_redirects_the_archive(
    admin_app: Starlette, admin: TestClient, tmp_path: Path
) -> None:
    target, outside = tmp_path / "backups", tmp_path / "precious.txt"
    target.mkdir()
    outside.write_text("must stay")
    assert admin.post(SCHEDULES, json=_directory_schedule(target)).status_code == 201
    origin = origin_of(admin_app.state.services.instance.instance_id)
    name = archive_name("nightly", origin, WHEN)
    (target / f".{name}.partial").symlink_to(outside)  # the temporary name a run used to take

    shipped = _run_at(admin_app, WHEN)

    assert shipped["status"] == "succeeded", shipped
    assert outside.read_text() == "must stay"
    assert (target / name).is_file()
    assert not (target / name).is_symlink()

    later = WHEN + dt.timedelta(days=1)
    final = target / archive_name("nightly", origin, later)
    final.symlink_to(outside)

    refused = _run_at(admin_app, later)

    assert refused["status"] == "failed"
    assert "symbolic link" in str(refused["error"])
    assert outside.read_text() == "must stay"
    assert final.is_symlink()


def test_retention_deletes_only_this_instances_archives(tmp_path: Path) -> None:
    """Two instances with a schedule of the same name and one target, each keeping its last
    archive: neither deletes the other's."""
    target = tmp_path / "one-folder"
    target.mkdir()
    with InProcessServer(tmp_path / "a") as first, InProcessServer(tmp_path / "b") as second:
        for server in (first, second):
            client = make_client(server.app, auth=server.auth)
            body = _directory_schedule(target, keep={"last": 1})
            assert client.post(SCHEDULES, json=body).status_code == 201
        for day in range(3):
            when = WHEN + dt.timedelta(days=day)
            for server in (first, second):
                assert _run_at(server.app, when)["status"] == "succeeded"
        origins = [origin_of(s.instance.instance_id) for s in (first, second)]

    newest = WHEN + dt.timedelta(days=2)
    assert sorted(os.listdir(target)) == sorted(
        archive_name("nightly", origin, newest) for origin in origins
    )


def test_an_endpoint_the_store_client_cannot_parse_is_refused(admin: TestClient) -> None:
    for endpoint in ("::bad", "ftp://s3.example.com", "https://", "https://h:99999",
                     "https://user:pw@s3.example.com", "https://s3.example.com/\n"):  # fmt: skip
        body = {"name": "s3", "cron": NEVER, "password": PASSWORD,
                "target": {"type": "s3", "bucket": "b", "endpoint": endpoint}}  # fmt: skip
        answer = admin.post(SCHEDULES, json=body)
        assert answer.status_code == 400, endpoint
        assert "target.endpoint" in answer.json()["message"]


def test_a_run_ends_whatever_the_store_client_raises(
    admin_app: Starlette, admin: TestClient
) -> None:
    """A schedule stored before endpoints were checked: the client panics (a BaseException);
    the run still ends failed, with the alert, and the next run is not refused."""
    body = {"name": "s3", "cron": NEVER, "password": PASSWORD,
            "target": {"type": "s3", "bucket": "b", "endpoint": "https://s3.example.com",
                       "accessKeyId": "AKIA1", "secretAccessKey": "key-secret"}}  # fmt: skip
    assert admin.post(SCHEDULES, json=body).status_code == 201
    store = admin_app.state.services.instance.store
    record = store.get(kinds.BACKUP_SCHEDULE, "s3")
    with store.transaction():
        store.update_body(kinds.BACKUP_SCHEDULE, "s3", {**record.body, "target": {
            **record.body["target"], "endpoint": "::bad"}})  # fmt: skip

    run = run_now(admin, "s3")

    assert run["status"] == "failed", run
    assert "Exception" not in run["error"]
    again = admin.post(f"{SCHEDULES}/s3/run")
    assert again.status_code == 202
    assert finished(admin, again.json()["id"])["status"] == "failed"
    alerts = admin.get("/api/monitoring/alerts").json()["alerts"]
    assert any("s3 failed" in alert["message"] for alert in alerts)
    assert all(r["status"] != "running" for r in admin.get(RUNS).json())

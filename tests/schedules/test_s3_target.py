"""Scheduled backups to S3-compatible object storage: a real S3 server (moto) on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc import __version__
from openscc.backup.archive import read_archive
from openscc.schedules.targets import origin_of
from support.s3_server import S3Server
from support.schedules import SCHEDULES, run_now

pytestmark = pytest.mark.slow

PASSWORD = "Scheduled-pa55word"


@pytest.fixture
def s3() -> Iterator[S3Server]:
    with S3Server() as server:
        server.create_bucket("scc-backups")
        yield server


def _target(s3: S3Server, bucket: str = "scc-backups") -> dict[str, Any]:
    return {
        "type": "s3",
        "bucket": bucket,
        "prefix": "plant-7",
        "endpoint": s3.endpoint,
        "region": "us-east-1",
        "accessKeyId": "testing",
        "secretAccessKey": "testing-secret",
    }


def test_a_run_uploads_a_verified_archive_and_retention_keeps_foreign_objects(
    admin_app: Starlette, admin: TestClient, s3: S3Server
) -> None:
    s3.put("scc-backups", "plant-7/someone-elses.zip", b"not ours")
    # Another site's schedule of the same name, one level deeper and newer: not ours either.
    s3.put("scc-backups", "plant-7/site-2/openscc-nightly-20990101T000000Z.zip", b"not ours")
    body = {"name": "nightly", "cron": "0 0 1 1 *", "target": _target(s3), "password": PASSWORD,
            "keep": {"last": 2}}  # fmt: skip
    assert admin.post(SCHEDULES, json=body).status_code == 201

    run = run_now(admin, "nightly")

    assert run["status"] == "succeeded", run
    key = run["object"].removeprefix("s3://scc-backups/")
    data = s3.get("scc-backups", key)
    assert hashlib.sha256(data).hexdigest() == run["sha256"]
    reader = read_archive(io.BytesIO(data), password=PASSWORD, product_version=__version__)
    assert sum(1 for _ in reader.records()) > 0
    # Three more runs on later days: two of this schedule's archives stay, the foreign one too.
    scheduler = admin_app.state.services.schedules
    schedule = scheduler.one("nightly")
    for day in range(1, 4):
        when = dt.datetime(2030, 1, day, 2, 0, tzinfo=dt.UTC)
        assert (
            scheduler.runner.run(schedule, scheduler.runner.begin(schedule, when), when).status
            == "succeeded"
        )
    origin = origin_of(admin_app.state.services.instance.instance_id)
    assert s3.keys("scc-backups") == [
        f"plant-7/openscc-nightly-{origin}-20300102T020000Z.zip",
        f"plant-7/openscc-nightly-{origin}-20300103T020000Z.zip",
        "plant-7/site-2/openscc-nightly-20990101T000000Z.zip",
        "plant-7/someone-elses.zip",
    ]


def test_a_missing_bucket_fails_the_run_with_an_alert(admin: TestClient, s3: S3Server) -> None:
    body = {"name": "nightly", "cron": "0 0 1 1 *", "target": _target(s3, "no-such-bucket"),
            "password": PASSWORD}  # fmt: skip
    admin.post(SCHEDULES, json=body)

    run = run_now(admin, "nightly")

    assert run["status"] == "failed"
    assert "no-such-bucket" in run["error"]
    assert "testing-secret" not in run["error"]
    alerts = admin.get("/api/monitoring/alerts").json()["alerts"]
    assert any("nightly failed" in a["message"] for a in alerts)


def test_without_stored_keys_the_aws_profile_chain_applies(
    admin: TestClient, s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No keys in the schedule: the server's AWS chain decides. Without any credentials the run
    fails saying so; with a profile in a shared credentials file it succeeds."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    target = {k: v for k, v in _target(s3).items() if k not in ("accessKeyId", "secretAccessKey")}
    body = {"name": "profiled", "cron": "0 0 1 1 *", "target": target, "password": PASSWORD}
    assert admin.post(SCHEDULES, json=body).status_code == 201
    assert admin.get(f"{SCHEDULES}/profiled").json()["target"]["credentials"] == "environment"

    without = run_now(admin, "profiled")
    (tmp_path / "credentials").write_text(
        "[scc-backup]\naws_access_key_id = testing\naws_secret_access_key = from-the-profile\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "scc-backup")
    with_profile = run_now(admin, "profiled")

    assert without["status"] == "failed", without
    assert with_profile["status"] == "succeeded", with_profile
    assert "from-the-profile" not in str(with_profile)


def test_without_boto3_a_schedule_without_keys_fails_saying_what_to_install(
    admin: TestClient, s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 is the optional ``aws`` extra: without it, stored keys still work, and a schedule
    relying on the AWS chain fails with what to install (no traceback, no 500)."""
    monkeypatch.setitem(sys.modules, "obstore.auth.boto3", None)  # import fails as if absent
    target = {k: v for k, v in _target(s3).items() if k not in ("accessKeyId", "secretAccessKey")}
    for name, schedule_target in (("chain", target), ("keyed", _target(s3))):
        body = {"name": name, "cron": "0 0 1 1 *", "target": schedule_target, "password": PASSWORD}
        assert admin.post(SCHEDULES, json=body).status_code == 201

    chain, keyed = run_now(admin, "chain"), run_now(admin, "keyed")

    assert chain["status"] == "failed"
    assert "pip install 'openscc[aws]'" in chain["error"]
    assert keyed["status"] == "succeeded", keyed

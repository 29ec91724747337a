"""The fleet's rows and verdicts (pure), and what the fleet's restore refuses before it sends
anything: a schedule of this instance, an archive the schedule did not make, a preview of a
Cloud Connector's own archive; an unreachable connector is a 502 naming it."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.config import certs
from openscc.errors import SourceFailed
from openscc.schedules import fleet, remote
from openscc.schedules.model import Schedule
from openscc.schedules.retention import Keep
from openscc.schedules.sources import Source
from openscc.schedules.targets import archive_name

SCHEDULES = "/api/openscc/v1/backup/schedules"
FLEET = "/api/openscc/v1/backup/fleet"
PEM = certs.self_signed(certs.parse_dn("CN=127.0.0.1")).certificate_pem
NOW = dt.datetime(2030, 6, 10, 12, 0, tzinfo=dt.UTC)
UNREACHABLE = "https://127.0.0.1:9"  # the discard port: nothing listens on loopback


def _schedule(name: str, source: str | None = None) -> Schedule:
    return Schedule(
        name=name, cron="0 3 * * *", target={"type": "directory", "path": "/backups"},
        keep=Keep(), drill=False, created_at="2030-06-01T00:00:00Z", password="x",
        source=Source(url=source, user="u", certificate=PEM, ca_certificate="", password="p")
        if source else None,
    )  # fmt: skip


def _run(name: str, status: str, finished: str, **more: Any) -> dict[str, Any]:
    """A run of the schedule ``name`` (of the connector https://NAME.example:8443 unless
    ``source`` says otherwise)."""
    source = f"https://{name}.example:8443"
    return {"schedule": name, "status": status, "startedAt": finished, "finishedAt": finished,
            "source": source, **more}  # fmt: skip


def _rows(schedules: list[Schedule], runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    began: dict[str, dt.datetime] = {}
    for run in reversed(runs):  # as the run log keeps it: when each last began a run
        began[run["schedule"]] = dt.datetime.fromisoformat(run["startedAt"].replace("Z", "+00:00"))
    found = fleet.rows(schedules, runs, began, NOW, lambda s: s.target["path"])
    return {row["schedule"]: row for row in found}


def test_each_schedule_gets_the_verdict_of_its_runs() -> None:
    schedules = [_schedule(n, f"https://{n}.example:8443") for n in
                 ("fresh", "late", "failing", "never", "running", "moved", "idle")]  # fmt: skip
    runs = [  # newest first
        _run("running", "running", "2030-06-10T11:59:00Z"),
        _run("running", "succeeded", "2030-06-10T03:00:00Z"),
        _run("never", "running", "2030-06-10T11:58:00Z"),  # running, yet never backed up
        _run("moved", "succeeded", "2030-06-10T03:00:00Z", source="https://before.example"),
        _run("failing", "failed", "2030-06-10T03:00:05Z", error="the connector refused the user"),
        _run("failing", "succeeded", "2030-06-09T03:00:05Z", size=10),
        _run("fresh", "succeeded", "2030-06-10T03:00:09Z", size=2048, verification="full: ..."),
        _run("late", "succeeded", "2030-06-08T03:00:05Z", size=10),
    ]

    rows = _rows(schedules, runs)

    assert {name: row["state"] for name, row in rows.items()} == {
        "fresh": "ok", "late": "late", "failing": "failing", "never": "never",
        "running": "running", "moved": "never", "idle": "never",
    }  # fmt: skip
    assert (rows["never"]["running"], rows["moved"]["lastSuccessAt"]) == (True, None)
    assert rows["fresh"]["lastSuccessAt"] == "2030-06-10T03:00:09Z"
    assert rows["fresh"]["newestArchiveAgeSeconds"] == 8 * 3600 + 59 * 60 + 51
    assert (rows["fresh"]["lastSize"], rows["fresh"]["connector"]) == (
        2048,
        "https://fresh.example:8443",
    )
    assert rows["failing"]["lastError"] == "the connector refused the user"
    assert rows["failing"]["lastSuccessAt"] == "2030-06-09T03:00:05Z"
    assert rows["never"]["lastSuccessAt"] is None
    assert rows["never"]["nextRunAt"] == "2030-06-11T03:00:00Z"  # after the run in progress
    assert rows["idle"]["nextRunAt"] == "2030-06-10T12:00:00Z"  # missed: it runs now
    assert rows["fresh"]["nextRunAt"] == "2030-06-11T03:00:00Z"


def test_a_success_after_a_failure_clears_the_error_and_this_instance_sorts_last() -> None:
    schedules = [_schedule("own"), _schedule("b", "https://b.example"),
                 _schedule("a", "https://a.example")]  # fmt: skip
    runs = [_run("b", "succeeded", "2030-06-10T03:00:00Z", source="https://b.example"),
            _run("b", "failed", "2030-06-09T03:00:00Z", error="timeout",
                 source="https://b.example")]  # fmt: skip

    found = fleet.rows(schedules, runs, {}, NOW, lambda s: "")

    assert [row["schedule"] for row in found] == ["a", "b", "own"]
    assert (found[1]["state"], found[1]["lastError"]) == ("ok", None)
    assert found[2]["connector"] == "this instance"


def _source_schedule(admin: TestClient, folder: Path) -> None:
    body = {"name": "plant", "cron": "0 3 * * *", "password": "Fleet-backup-pa55word",
            "target": {"type": "directory", "path": str(folder)},
            "source": {"type": "connector", "url": UNREACHABLE, "user": "Administrator",
                       "password": "Source-pa55word", "certificate": PEM}}  # fmt: skip
    assert admin.post(SCHEDULES, json=body).status_code == 201


def _sap_archive(folder: Path, when: dt.datetime) -> str:
    """A Cloud Connector's own archive (not openscc's), under the name the schedule makes."""
    name = archive_name("plant", "127.0.0.1_9", when)
    with zipfile.ZipFile(folder / name, "w") as archive:
        archive.writestr("config/scc_config.ini", "[scc]\n")
    return name


def test_the_fleet_restore_refuses_before_it_sends_anything(
    admin: TestClient, tmp_path: Path
) -> None:
    _source_schedule(admin, tmp_path)
    older = _sap_archive(tmp_path, dt.datetime(2030, 1, 1, 3, 0, tzinfo=dt.UTC))
    newer = _sap_archive(tmp_path, dt.datetime(2030, 1, 2, 3, 0, tzinfo=dt.UTC))
    (tmp_path / "openscc-plant-otherorigin-20300103T030000Z.zip").write_bytes(b"not this one")
    own = {"name": "own", "cron": "0 3 * * *", "password": "Fleet-backup-pa55word",
           "target": {"type": "directory", "path": str(tmp_path)}}  # fmt: skip
    assert admin.post(SCHEDULES, json=own).status_code == 201

    listed = admin.get(f"{FLEET}/plant/archives")
    of_this_instance = admin.get(f"{FLEET}/own/archives")
    missing = admin.post(f"{FLEET}/nowhere/restore", json={"archive": newer})
    foreign = admin.post(
        f"{FLEET}/plant/restore", json={"archive": "openscc-plant-otherorigin-20300103T030000Z.zip"}
    )
    climbing = admin.post(f"{FLEET}/plant/restore", json={"archive": f"../{newer}"})
    preview = admin.post(f"{FLEET}/plant/restore", json={"archive": newer, "dryRun": True})
    unreachable = admin.post(f"{FLEET}/plant/restore", json={"archive": newer})
    no_archive = admin.post(f"{FLEET}/plant/restore", json={})

    assert [a["name"] for a in listed.json()] == [newer, older]
    assert listed.json()[0]["createdAt"] == "2030-01-02T03:00:00Z"
    assert of_this_instance.status_code == 409
    assert "this instance" in of_this_instance.json()["message"]
    assert missing.status_code == 404
    assert foreign.status_code == 404
    assert climbing.status_code == 404
    assert preview.status_code == 200, preview.text
    assert preview.json()["preview"] is False
    assert "offers no preview" in preview.json()["why"]
    assert unreachable.status_code == 502
    assert unreachable.json()["type"] == "RUNTIME_FAILURE"
    assert "cannot be reached" in unreachable.json()["message"]
    assert "Source-pa55word" not in unreachable.text
    assert no_archive.status_code == 400


def test_an_answer_of_another_connector_is_read_only_up_to_its_cap() -> None:
    """A dry-run report or an error of a connector is read whole: never more than the cap."""
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        while True:
            sent += 1024 * 1024
            yield b"x" * (1024 * 1024)

    small = httpx.Response(400, content=b'{"type": "INVALID_REQUEST", "message": "bad"}')
    huge = httpx.Response(200, content=endless())

    assert remote.message_of(remote.capped_body(small, "https://a.example")) == "bad"
    with pytest.raises(SourceFailed, match="answered more than"):
        remote.capped_body(huge, "https://a.example")
    assert sent <= remote.MAX_ANSWER_BYTES + 2 * 1024 * 1024


def test_an_archive_is_not_sent_back_while_its_schedule_runs(
    admin_app: Starlette, admin: TestClient, tmp_path: Path
) -> None:
    """Its retention could delete the archive being sent: refused until the run ends."""
    _source_schedule(admin, tmp_path)
    name = _sap_archive(tmp_path, dt.datetime(2030, 1, 2, 3, 0, tzinfo=dt.UTC))
    scheduler = admin_app.state.services.schedules
    scheduler.runner.begin(scheduler.one("plant"), dt.datetime(2030, 1, 3, tzinfo=dt.UTC))

    refused = admin.post(f"{FLEET}/plant/restore", json={"archive": name, "dryRun": True})

    assert refused.status_code == 409
    assert "a run of plant is in progress" in refused.json()["message"]

"""Restore drills: an archive restored into a throwaway openscc process passes when everything
comes back, and fails (saying why) for a damaged archive or a wrong password; a schedule with
``drill: true`` drills each archive it ships."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from openscc.backup.archive import inspect_archive
from openscc.schedules.drill import run_drill
from support.in_process import InProcessServer
from support.populate import populate_every_kind
from support.schedules import run_now

pytestmark = pytest.mark.slow

PASSWORD = "Drill-backup-pa55word"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A backup of a configuration holding every kind of entity."""
    with InProcessServer(tmp_path / "source") as server:
        server.http.auth = server.auth
        populate_every_kind(server.http)
        path = tmp_path / "every-kind.zip"
        path.write_bytes(server.backup(PASSWORD))
    return path


def test_a_good_archive_passes_with_its_figures(archive: Path) -> None:
    report = run_drill(archive, PASSWORD, kdf_profile="test")

    assert report.passed, report.to_json()
    with archive.open("rb") as src:
        assert report.entities == sum(inspect_archive(src).counts.values())
    assert report.differences == []
    assert 0 < report.restore_seconds < report.seconds
    assert report.summary().startswith("passed:")


def test_a_damaged_archive_and_a_wrong_password_fail(archive: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(damaged, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, data[:-3] + b"xx\n" if info.filename == "config.jsonl" else data)

    broken = run_drill(damaged, PASSWORD, kdf_profile="test")
    wrong = run_drill(archive, "not-the-password", kdf_profile="test")

    assert not broken.passed
    assert "refused (400)" in broken.error
    assert not wrong.passed
    assert "password" in wrong.error


def test_the_cli_drill_exits_0_and_a_wrong_password_12(archive: Path, tmp_path: Path) -> None:
    """0 when everything came back; a wrong password is found before any throwaway instance
    starts and exits 12, as everywhere (docs/cli.md, "Exit codes")."""
    password_file = tmp_path / "pw"
    password_file.write_text(PASSWORD)
    command = [sys.executable, "-m", "openscc", "backup", "drill", str(archive), "--json"]

    good = subprocess.run(
        [*command, "--backup-password-file", str(password_file)],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "OPENSCC_KDF_PROFILE": "test"},
    )  # fmt: skip
    password_file.write_text("wrong")
    bad = subprocess.run(
        [*command, "--backup-password-file", str(password_file)],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "OPENSCC_KDF_PROFILE": "test"},
    )  # fmt: skip

    assert good.returncode == 0, good.stdout + good.stderr
    assert json.loads(good.stdout)["passed"] is True
    assert bad.returncode == 12
    assert json.loads(bad.stdout)["error"]["message"].startswith("wrong password")


def test_a_schedule_with_a_drill_drills_what_it_ships(admin: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    body = {"name": "drilled", "cron": "0 0 1 1 *", "password": PASSWORD, "drill": True,
            "target": {"type": "directory", "path": str(target)}}  # fmt: skip
    assert admin.post("/api/openscc/v1/backup/schedules", json=body).status_code == 201

    run = run_now(admin, "drilled", timeout=120)

    assert run["status"] == "succeeded", run
    assert run["drill"].startswith("passed:")

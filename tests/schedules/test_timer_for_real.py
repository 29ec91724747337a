"""The timer with the real clock: a server started after missing hours of an hourly schedule
runs it once, not once per missed hour; a schedule every minute runs at the next minute."""

from __future__ import annotations

import datetime as dt
import ssl
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from openscc.auth.users import ADMINISTRATOR
from openscc.instance import open_instance
from openscc.schedules.runs import now_iso
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD
from support.server_process import ServerProcess

pytestmark = pytest.mark.slow

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"


def test_a_restart_after_missed_hours_runs_the_schedule_once(tmp_path: Path) -> None:
    data_dir, target = tmp_path / "data", tmp_path / "backups"
    target.mkdir()
    open_instance(Settings(data_dir=data_dir, kdf_profile="test",
                           admin_password=ADMIN_PASSWORD)).close()  # fmt: skip
    with ServerProcess(data_dir).start() as server:
        client = httpx.Client(
            base_url=server.url,
            verify=ssl.create_default_context(cafile=str(server.certificate_path)),
            auth=(ADMINISTRATOR, ADMIN_PASSWORD),
        )
        created = client.post(SCHEDULES, json={"name": "hourly", "cron": "0 * * * *",
            "password": "Scheduled-pa55word", "target": {"type": "directory", "path": str(target)}})  # fmt: skip
        assert created.status_code == 201, created.text
        assert client.get(RUNS).json() == []
        server.stop()
        # The server was down for three hours and more: the last run was long ago.
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3, minutes=30)
        instance = open_instance(Settings(data_dir=data_dir, kdf_profile="test"))
        with instance.store.transaction():
            instance.store.connection.execute(
                "INSERT INTO schedule_last_run (schedule, at) VALUES (?, ?)",
                ("hourly", now_iso(long_ago)),
            )
        instance.close()
        server.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not client.get(RUNS).json():
            time.sleep(0.2)
        time.sleep(2)  # time for any further run the rule must not make

        runs = client.get(RUNS).json()
        assert [r["status"] for r in runs] == ["succeeded"], runs
        assert len(list(target.glob("openscc-hourly-*.zip"))) == 1
        client.close()


def test_a_schedule_every_minute_runs_at_the_next_minute(admin: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    created = admin.post(SCHEDULES, json={"name": "minutely", "cron": "* * * * *",
        "password": "Scheduled-pa55word", "target": {"type": "directory", "path": str(target)}})  # fmt: skip
    assert created.status_code == 201

    deadline = time.monotonic() + 75
    while time.monotonic() < deadline:
        runs = admin.get(RUNS).json()
        if runs and runs[0]["status"] != "running":
            break
        time.sleep(0.5)

    assert [r["status"] for r in runs] == ["succeeded"], runs
    started = dt.datetime.fromisoformat(runs[0]["startedAt"].replace("Z", "+00:00"))
    assert started.second < 15  # at the minute, not whenever

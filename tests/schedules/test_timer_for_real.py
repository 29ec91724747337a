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
from support.waiting import wait_for

pytestmark = pytest.mark.slow

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"


def _finished(client: httpx.Client) -> bool:
    runs = client.get(RUNS).json()
    return bool(runs) and all(run["status"] != "running" for run in runs)


def _checks(client: httpx.Client) -> float:
    """How many times the server's timer has looked for due schedules (its metric)."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("openscc_schedule_checks_total "):
            return float(line.split()[1])
    raise AssertionError("openscc_schedule_checks_total is missing from /metrics")


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
        wait_for(lambda: _finished(client), "the catch-up run")
        checked = _checks(client)
        # Another schedule wakes the timer: it looks at "hourly" again and must not run it.
        yearly = {"name": "yearly", "cron": "0 0 1 1 *", "password": "Scheduled-pa55word",
                  "target": {"type": "directory", "path": str(target)}}  # fmt: skip
        assert client.post(SCHEDULES, json=yearly).status_code == 201
        wait_for(lambda: _checks(client) > checked, "the timer's next look at the schedules")

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

"""A drill's throwaway instance (OPENSCC_DRILL=1) runs no background work: its runtime starts no
loop, so an overdue schedule of the restored configuration stays asleep, where a normal instance
runs it at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from openscc.app import create_app
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, make_client
from support.waiting import wait_for

SCHEDULES = "/api/openscc/v1/backup/schedules"


@pytest.mark.parametrize("drill", [True, False])
def test_an_overdue_schedule_runs_only_outside_a_drill(tmp_path: Path, drill: bool) -> None:
    target = tmp_path / "target"
    target.mkdir()
    settings = Settings.from_env({"OPENSCC_DRILL": "1"} if drill else {},
        data_dir=tmp_path / "data", kdf_profile="test", admin_password=ADMIN_PASSWORD)  # fmt: skip
    assert settings.drill is drill
    app = create_app(settings)
    with make_client(app, auth=("Administrator", ADMIN_PASSWORD)) as admin:
        body = {"name": "overdue", "cron": "* * * * *", "password": "Scheduled-pa55word",
                "target": {"type": "directory", "path": str(target)}}  # fmt: skip
        assert admin.post(SCHEDULES, json=body).status_code == 201
        services = app.state.services
        store = services.instance.store

        def backdate() -> None:  # in the store's thread, where its connection belongs
            record = store.get("backupSchedule", "overdue")
            assert record is not None
            with store.transaction():
                store.update_body(
                    "backupSchedule",
                    "overdue",
                    {**record.body, "createdAt": "2020-01-01T00:00:00Z"},
                )

        asyncio.run(services.store_thread.run(backdate))
        services.schedules.changed()
        running = set(app.state.runtime.tasks)
        if drill:
            assert running == set()
        else:
            assert running == {"alerts", "high-availability", "schedules"}
            wait_for(lambda: list(target.iterdir()), "the overdue schedule's archive")

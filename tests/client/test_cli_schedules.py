"""``openscc backup schedule``: add, list, run, runs and remove a server's backup schedules;
the password and the S3 secret key read from a variable or file, never the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path

from client_harness import ADMIN_PASSWORD, InProcessServer, invoke, remote

ENV = {"OPENSCC_PASSWORD": ADMIN_PASSWORD, "OPENSCC_BACKUP_PASSWORD": "Scheduled-pa55word"}


def test_a_schedule_is_added_run_listed_and_removed(
    server: InProcessServer, tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    target.mkdir()

    added = invoke(server, *remote(server, "backup", "schedule", "add", "nightly",
                   "--cron", "0 0 1 1 *", "--directory", str(target), "--keep-last", "3",
                   "--json"), env=ENV)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["keep"] == {"last": 3}

    listed = invoke(server, *remote(server, "backup", "schedule", "list"), env=ENV)
    assert listed.exit_code == 0, listed.output
    assert "nightly" in listed.stdout
    assert "Scheduled-pa55word" not in listed.stdout

    started = invoke(server, *remote(server, "backup", "schedule", "run", "nightly", "--json"),
                     env=ENV)  # fmt: skip
    assert started.exit_code == 0, started.output
    run_id = json.loads(started.stdout)["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = invoke(server, *remote(server, "backup", "schedule", "runs", "--json"), env=ENV)
        [run] = [r for r in json.loads(runs.stdout) if r["id"] == run_id]
        if run["status"] != "running":
            break
        time.sleep(0.05)
    assert run["status"] == "succeeded", run
    assert len(list(target.glob("openscc-nightly-*.zip"))) == 1

    removed = invoke(server, *remote(server, "backup", "schedule", "remove", "nightly"), env=ENV)
    assert removed.exit_code == 0, removed.output
    again = invoke(server, *remote(server, "backup", "schedule", "remove", "nightly"), env=ENV)
    assert again.exit_code == 5  # not found


def test_an_s3_schedule_takes_its_secret_key_from_the_environment(server: InProcessServer) -> None:
    added = invoke(server, *remote(server, "backup", "schedule", "add", "offsite",
                   "--cron", "0 3 * * 0", "--s3-bucket", "scc", "--s3-access-key-id", "AKIA2",
                   "--json"),
                   env={**ENV, "OPENSCC_S3_SECRET_ACCESS_KEY": "s3-secret"})  # fmt: skip

    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["target"]["credentials"] == "stored"
    assert "s3-secret" not in added.stdout


def test_one_target_exactly(server: InProcessServer) -> None:
    both = invoke(server, *remote(server, "backup", "schedule", "add", "x", "--cron", "* * * * *",
                  "--directory", "/tmp", "--s3-bucket", "b"), env=ENV)  # fmt: skip
    assert both.exit_code == 2
    assert "one target" in both.output

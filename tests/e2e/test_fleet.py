"""``openscc fleet backup`` against several real server processes, one of them down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from openscc.cli import cli
from openscc.client.offline import verify_backup
from support.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow

BACKUP_PASSWORD = "fleet-backup-pw"


def test_fleet_backs_up_the_servers_that_are_up_and_fails_for_the_one_that_is_down(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """With one connector down, the others are still backed up and verified; the exit code is 7."""
    one = server_factory(tmp_path / "one", admin_password="one-admin-pw").start(wait=False)
    two = server_factory(tmp_path / "two", admin_password="two-admin-pw").start(wait=False)
    one.wait_ready()  # both start at once: half the waiting
    two.wait_ready()
    down_url = f"https://127.0.0.1:{free_port()}"
    (tmp_path / "two.password").write_text("two-admin-pw\n")
    inventory = tmp_path / "fleet.toml"
    inventory.write_text(
        f"""
[defaults]
user = "Administrator"
backup_password_env = "FLEET_BACKUP_PASSWORD"

[[connector]]
name = "one"
url = "{one.url}"
password_env = "ONE_PASSWORD"
ca_file = "{one.certificate_path}"

[[connector]]
name = "down"
url = "{down_url}"
password_env = "ONE_PASSWORD"
insecure = true

[[connector]]
name = "two"
url = "{two.url}"
password_file = "two.password"
ca_file = "{two.certificate_path}"
"""
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSCC_")}
    env |= {"ONE_PASSWORD": "one-admin-pw", "FLEET_BACKUP_PASSWORD": BACKUP_PASSWORD}
    out = tmp_path / "backups"

    summary = subprocess.run(
        [
            sys.executable,
            "-m",
            "openscc",
            "fleet",
            "backup",
            "--inventory",
            str(inventory),
            "--out",
            str(out),
            "--keep",
            "1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert summary.returncode == 7, summary.stdout + summary.stderr
    for name in ("one", "two", "down"):
        assert name in summary.stdout
    assert "2 of 3 connectors backed up, 1 failed" in summary.stdout
    for name in ("one", "two"):
        (backup,) = (out / name).glob("*.zip")
        assert verify_backup(backup, BACKUP_PASSWORD).entities > 0

    # The second run in this process (faster), with --json, over the same real HTTPS.
    result = CliRunner().invoke(
        cli,
        [
            "fleet",
            "backup",
            "--inventory",
            str(inventory),
            "--out",
            str(out),
            "--keep",
            "1",
            "--json",
        ],
        env={"ONE_PASSWORD": "one-admin-pw", "FLEET_BACKUP_PASSWORD": BACKUP_PASSWORD},
    )
    assert result.exit_code == 7
    report = json.loads(result.stdout)
    statuses = {c["name"]: c["status"] for c in report["connectors"]}
    assert statuses == {"one": "ok", "down": "failed", "two": "ok"}
    paths = {c["name"]: c["path"] for c in report["connectors"]}
    for name in ("one", "two"):  # --keep 1: the second run's backup replaced the first
        assert list((out / name).glob("*.zip")) == [Path(paths[name])]

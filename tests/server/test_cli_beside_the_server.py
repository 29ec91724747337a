"""`openscc users` on the data directory of a running server: both work on the database through
SQLite alone, so nothing either of them acknowledged is lost, whatever the other does.

The first test is the reproduction of a loss found by trying the README as a new user: after
the server had made a backup, `openscc users list` beside it removed the WAL the server still
wrote to, so changes answered 200 were gone after kill -9, and every dry run answered 500.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # real server processes

CONNECTOR = "/api/v1/configuration/connector"
BACKUP = "/api/v1/configuration/backup"
BACKUP_PASSWORD = "Beside-backup-pa55"


def users(
    data_dir: Path, *args: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`openscc users ARGS --data-dir DATA_DIR` as its own process, as a user runs it."""
    env = {**os.environ, "OPENSCC_KDF_PROFILE": "test"}
    env.pop("OPENSCC_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "openscc", "users", *args, "--data-dir", str(data_dir)],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_a_users_command_beside_the_server_loses_no_acknowledged_change(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory().start()
    with server.client(auth=server.admin_auth, timeout=30) as http:
        made = http.post(BACKUP, json={"password": BACKUP_PASSWORD})
        assert made.status_code == 200
        listed = users(server.data_dir, "list")
        assert listed.returncode == 0, listed.stderr
        for n in range(1, 7):
            answer = http.put(CONNECTOR, json={"description": f"change {n}"})
            assert answer.status_code == 200, answer.text
        preview = http.put(
            f"{BACKUP}?dryRun=true",
            files={"backup": ("b.zip", made.content)},
            data={"password": BACKUP_PASSWORD},
        )
        assert preview.status_code == 200, preview.text
    server.kill9()
    server.start()

    with server.client(auth=server.admin_auth, timeout=30) as http:
        assert http.get(CONNECTOR).json()["description"] == "change 6"
        again = http.put(
            f"{BACKUP}?dryRun=true",
            files={"backup": ("b.zip", made.content)},
            data={"password": BACKUP_PASSWORD},
        )
        assert again.status_code == 200, again.text


def test_users_changed_beside_the_server_log_on_at_once_and_stay_changed(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory().start()
    with server.client(timeout=30) as http:
        assert http.post(BACKUP, auth=server.admin_auth, json={"password": BACKUP_PASSWORD})
        added = users(
            server.data_dir, "add", "ops", "--role", "sccdisplay", password="Ops-pa55word1"
        )
        assert added.returncode == 0, added.stderr
        assert http.get(CONNECTOR, auth=("ops", "Ops-pa55word1")).status_code == 200
        temporary = users(server.data_dir, "add", "temp", "--role", "sccdisplay",
                          password="Temp-pa55word1")  # fmt: skip
        assert temporary.returncode == 0, temporary.stderr
        assert http.get(CONNECTOR, auth=("temp", "Temp-pa55word1")).status_code == 200
        removed = users(server.data_dir, "remove", "temp")
        assert removed.returncode == 0, removed.stderr
        assert http.get(CONNECTOR, auth=("temp", "Temp-pa55word1")).status_code == 401
    server.stop()  # a graceful restart: the server's own connection closes last
    server.start()

    with server.client(timeout=30) as http:
        assert http.get(CONNECTOR, auth=("ops", "Ops-pa55word1")).status_code == 200
        assert http.get(CONNECTOR, auth=("temp", "Temp-pa55word1")).status_code == 401
    listed = users(server.data_dir, "list")
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["Administrator", "ops"]


def test_a_second_server_on_the_same_data_directory_is_refused(
    server_factory: Callable[..., ServerProcess],
) -> None:
    first = server_factory().start()
    second = server_factory(first.data_dir, log_path=first.data_dir.with_name("second.log"))

    second.start(wait=False)

    assert second.wait_exit(timeout=30) == 1
    log = second.log_text()
    assert "another openscc serve" in log
    assert f"(pid {first.pid})" in log
    assert first.is_running()
    with httpx.Client(verify=False, timeout=10) as http:
        assert http.get(first.url + "/api/v1/connector/version").status_code in (200, 401)

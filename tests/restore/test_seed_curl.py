"""The seed document's two curl commands, run as written (with -k) against a real server."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # starts real server processes

CREATE = (
    "curl -k -u Administrator:<password> https://<host>:<port>/api/v1/configuration/backup -X POST "
    '-H \'Content-Type: application/json\' -d "{\\"password\\":\\"<password>\\"}" -o <backupfile>.zip'
)
RESTORE = (
    "curl -k -u Administrator:<password> https://<host>:<port>/api/v1/configuration/backup -X PUT "
    "-F 'password=<password>' -F backup=@<backupfile>.zip"
)


def _as_written(template: str, server: ServerProcess, backup_file: Path) -> str:
    return (
        template.replace("<password>", "Seed-pw1")
        .replace("<host>", server.host)
        .replace("<port>", str(server.port))
        .replace("<backupfile>", str(backup_file))
    )


def test_the_seed_curl_commands_back_up_and_restore(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """POST writes a ZIP with curl; PUT with -F restores it (204) and the old state comes back."""
    server = server_factory(admin_password="Seed-pw1").start()
    backup_file = tmp_path / "seed-backup"
    url = server.url + "/api/v1/configuration/connector"
    with httpx.Client(verify=False) as http:
        http.put(url, auth=server.admin_auth, json={"description": "seed state"})

        created = subprocess.run(
            ["bash", "-c", _as_written(CREATE, server, backup_file) + " -s -w '%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        http.put(url, auth=server.admin_auth, json={"description": "changed"})
        restored = subprocess.run(
            ["bash", "-c", _as_written(RESTORE, server, backup_file) + " -s -w '%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert (created.returncode, created.stdout) == (0, "200")
        assert backup_file.with_suffix(".zip").read_bytes()[:2] == b"PK"
        assert (restored.returncode, restored.stdout) == (0, "204")
        deadline = time.monotonic() + 20
        description = None
        while time.monotonic() < deadline and description != "seed state":
            with contextlib.suppress(httpx.TransportError):
                description = http.get(
                    url, auth=server.admin_auth, headers={"Connection": "close"}
                ).json()["description"]
            time.sleep(0.1)
    assert description == "seed state"

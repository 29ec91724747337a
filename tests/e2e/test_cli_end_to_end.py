"""The CLI against a real ``openscc serve`` process: the whole backup and restore cycle over HTTPS."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from openscc.cli import cli
from support.server_process import ServerProcess

pytestmark = pytest.mark.slow

BACKUP_PASSWORD = "e2e-backup-pw"
CONNECTOR = "/api/v1/configuration/connector"


def _openscc(server: ServerProcess, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a user would, passwords in the environment only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSCC_")}
    env["OPENSCC_PASSWORD"] = server.admin_auth[1]
    env["OPENSCC_BACKUP_PASSWORD"] = BACKUP_PASSWORD
    return subprocess.run(
        [sys.executable, "-m", "openscc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _in_process(*args: str, cwd: Path) -> tuple[int, str]:
    """The same CLI in this process (faster), still over real HTTPS to the real server;
    the exit code and standard output (standard error too if it failed)."""
    env = {
        "OPENSCC_PASSWORD": None,
        "OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD,
        "OPENSCC_URL": None,
    }
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def _remote(server: ServerProcess) -> list[str]:
    return [
        "--url",
        server.url,
        "--user",
        server.admin_auth[0],
        "--ca-file",
        str(server.certificate_path),
    ]


def _description(server: ServerProcess) -> str:
    with server.client(auth=server.admin_auth) as http:
        return str(http.get(CONNECTOR).json()["description"])


def test_create_verify_inspect_change_diff_restore_and_the_old_state_is_back(
    running_server: ServerProcess, tmp_path: Path
) -> None:
    """A backup taken by the CLI restores the configuration it was taken from, over real HTTPS."""
    server = running_server
    with server.client(auth=server.admin_auth) as http:
        assert http.put(CONNECTOR, json={"description": "as backed up"}).status_code == 200

    created = _openscc(
        server, "backup", "create", *_remote(server), "-o", "scc.zip", "--json", cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["bytes"] == (tmp_path / "scc.zip").stat().st_size

    code, text = _in_process("backup", "verify", "scc.zip", cwd=tmp_path)
    assert code == 0, text
    assert "would restore" in text, text

    code, text = _in_process("backup", "inspect", "scc.zip", "--json", cwd=tmp_path)
    inspected = json.loads(text)
    assert inspected["counts"]["connector"] == 1
    assert inspected["counts"]["user"] >= 1

    with server.client(auth=server.admin_auth) as http:
        assert http.put(CONNECTOR, json={"description": "changed later"}).status_code == 200

    password_file = tmp_path / "login-password"
    password_file.write_text(server.admin_auth[1] + "\n")
    login = [*_remote(server), "--password-file", str(password_file)]
    code, text = _in_process("backup", "diff", "scc.zip", *login, "--json", cwd=tmp_path)
    assert code == 0, text
    assert json.loads(text)["changes"]["connector"]["changedEntities"][0]["fields"] == [
        "description"
    ]
    code, text = _in_process("backup", "restore", "scc.zip", *login, "--dry-run", cwd=tmp_path)
    assert code == 0, text
    assert "would change 1 entity" in text, text
    assert _description(server) == "changed later"

    restored = _openscc(
        server,
        "backup",
        "restore",
        "scc.zip",
        *_remote(server),
        "--wait-timeout",
        "30",
        cwd=tmp_path,
    )
    assert restored.returncode == 0, restored.stderr + server.log_text()
    assert "is back" in restored.stdout

    # Success was reported only after the restart: the restored state is served right away.
    assert "applied the pending restore" in server.log_text()
    assert _description(server) == "as backed up"


def test_tls_is_verified_unless_a_ca_or_insecure_is_given(
    running_server: ServerProcess, tmp_path: Path
) -> None:
    """A self-signed server is refused by default (exit 7), accepted with --ca-file or --insecure."""
    server = running_server
    env = {"OPENSCC_PASSWORD": server.admin_auth[1], "OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD}
    base = ["backup", "create", "--url", server.url, "--user", server.admin_auth[0]]

    def create(name: str, *extra: str) -> int:
        return (
            CliRunner().invoke(cli, [*base, "-o", str(tmp_path / name), *extra], env=env).exit_code
        )

    assert create("default.zip") == 7
    assert not (tmp_path / "default.zip").exists()
    assert create("ca.zip", "--ca-file", str(server.certificate_path)) == 0
    assert create("insecure.zip", "--insecure") == 0


def test_a_restore_that_brings_another_ui_certificate_succeeds_with_a_note(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """Restoring a backup of another instance onto a replacement brings that instance's UI
    certificate: the CLI checks the server is back with exactly that certificate, exits 0 with a
    note, and leaves the certificate beside the archive for --ca-file from then on."""
    source = server_factory(tmp_path / "source").start()
    target = server_factory(tmp_path / "target").start()
    with source.client(auth=source.admin_auth) as http:
        assert http.put(CONNECTOR, json={"description": "from the source"}).status_code == 200
    password_file = tmp_path / "login-password"
    password_file.write_text(source.admin_auth[1] + "\n")
    login = ["--password-file", str(password_file)]
    code, text = _in_process(
        "backup", "create", *_remote(source), *login, "-o", "src.zip", cwd=tmp_path
    )
    assert code == 0, text
    source_certificate = source.certificate_path.read_text()
    assert source_certificate != target.certificate_path.read_text()

    code, text = _in_process(
        "backup", "restore", "src.zip", *_remote(target), *login, "--json", cwd=tmp_path
    )

    assert code == 0, text
    report = json.loads(text)
    assert report["uiCertificateChanged"] is True
    saved = tmp_path / report["uiCertificateFile"]
    assert saved == tmp_path / "src-ui-certificate.pem"
    assert saved.read_text() == source_certificate
    with_saved = ["--url", target.url, "--user", "Administrator", "--ca-file", str(saved)]
    code, text = _in_process(
        "backup", "diff", "src.zip", *with_saved, *login, "--json", cwd=tmp_path
    )
    assert code == 0, text
    assert json.loads(text)["changes"]["connector"]["changedEntities"] == []  # it is restored

"""``openscc backup diff A.zip B.zip``: two archives compared offline, each with its own
password; what changes from A to B per kind, secrets compared but never shown."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner
from client_harness import BACKUP_PASSWORD, InProcessServer

from openscc.cli import cli

OTHER_PASSWORD = "Other-backup-pa55word"
REGION = "cf.eu10.hana.ondemand.com"


def _backup(server: InProcessServer, path: Path, password: str) -> Path:
    async def take() -> None:
        async with server.client() as client:
            await client.create_backup(password, path)

    asyncio.run(take())
    return path


def _invoke(*args: str, env: dict[str, str | None]) -> object:
    base: dict[str, str | None] = {
        "OPENSCC_PASSWORD": None,
        "OPENSCC_BACKUP_PASSWORD": None,
        "OPENSCC_OTHER_BACKUP_PASSWORD": None,
        "OPENSCC_URL": None,
        "OPENSCC_USER": None,
    }
    return CliRunner().invoke(cli, list(args), env={**base, **env})


def _add_subaccount(server: InProcessServer, name: str, password: str) -> None:
    response = server.http.post(
        "/api/v1/configuration/subaccounts",
        json={
            "regionHost": REGION,
            "subaccount": name,
            "cloudUser": "u",
            "cloudPassword": password,
        },
        auth=server.auth,
    )
    assert response.status_code == 201, response.text


def test_two_archives_are_compared_each_with_its_own_password(
    server: InProcessServer, tmp_path: Path
) -> None:
    _add_subaccount(server, "kept", "secret-one")
    _add_subaccount(server, "removed", "secret-two")
    first = _backup(server, tmp_path / "a.zip", BACKUP_PASSWORD)
    server.set_description("changed")
    server.http.delete(f"/api/v1/configuration/subaccounts/{REGION}/removed", auth=server.auth)
    _add_subaccount(server, "added", "secret-three")
    second = _backup(server, tmp_path / "b.zip", OTHER_PASSWORD)
    password_file = tmp_path / "other"
    password_file.write_text(OTHER_PASSWORD)

    result = _invoke(
        "backup", "diff", str(first), str(second), "--json",
        "--other-password-file", str(password_file),
        env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD},
    )  # fmt: skip

    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    report = json.loads(result.stdout)  # type: ignore[attr-defined]
    subaccounts = report["changes"]["subaccount"]
    assert subaccounts["addedKeys"] == [f"subaccount / {REGION} / added"]
    assert subaccounts["removedKeys"] == [f"subaccount / {REGION} / removed"]
    assert subaccounts["unchanged"] == 1
    assert report["changes"]["connector"]["changed"] == 1
    assert report["changeCount"] == 3
    assert report["first"]["createdAt"] < report["second"]["createdAt"]
    assert "secret-" not in result.stdout  # type: ignore[attr-defined]

    human = _invoke(
        "backup", "diff", str(first), str(second), "--other-password-file", str(password_file),
        env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD},
    )  # fmt: skip
    assert human.exit_code == 0, human.output  # type: ignore[attr-defined]
    assert "3 entities change" in human.stdout  # type: ignore[attr-defined]


def test_a_wrong_second_password_exits_12(server: InProcessServer, tmp_path: Path) -> None:
    first = _backup(server, tmp_path / "a.zip", BACKUP_PASSWORD)
    second = _backup(server, tmp_path / "b.zip", OTHER_PASSWORD)

    result = _invoke(
        "backup", "diff", str(first), str(second),
        env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD, "OPENSCC_OTHER_BACKUP_PASSWORD": "wrong"},
    )  # fmt: skip

    assert result.exit_code == 12, result.output  # type: ignore[attr-defined]


def test_one_file_without_a_server_is_a_usage_error(tmp_path: Path) -> None:
    lone = tmp_path / "a.zip"
    lone.write_bytes(b"x")

    result = _invoke("backup", "diff", str(lone), env={})

    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "--url and --user" in result.output  # type: ignore[attr-defined]


def test_the_second_password_defaults_to_the_first(server: InProcessServer, tmp_path: Path) -> None:
    """Both archives with one password: nothing more is asked for, nor needed."""
    first = _backup(server, tmp_path / "a.zip", BACKUP_PASSWORD)
    server.set_description("changed")
    second = _backup(server, tmp_path / "b.zip", BACKUP_PASSWORD)

    result = _invoke("backup", "diff", str(first), str(second), "--json",
                     env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD})  # fmt: skip

    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert json.loads(result.stdout)["changeCount"] == 1  # type: ignore[attr-defined]


def test_another_password_is_asked_for_only_when_the_first_does_not_open_the_second(
    server: InProcessServer, tmp_path: Path
) -> None:
    first = _backup(server, tmp_path / "a.zip", BACKUP_PASSWORD)
    second = _backup(server, tmp_path / "b.zip", OTHER_PASSWORD)

    without = _invoke("backup", "diff", str(first), str(second),
                      env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD})  # fmt: skip
    told = _invoke("backup", "diff", str(first), str(second), "--json",
                   env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD,
                        "OPENSCC_OTHER_BACKUP_PASSWORD": OTHER_PASSWORD})  # fmt: skip

    assert without.exit_code == 2  # type: ignore[attr-defined]
    assert "OPENSCC_OTHER_BACKUP_PASSWORD" in without.stderr  # type: ignore[attr-defined]
    assert told.exit_code == 0, told.output  # type: ignore[attr-defined]

"""Every security-relevant event is appended to the audit log; no password ever is."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.cli import cli
from openscc.instance import open_instance
from openscc.layout import AUDIT_LOG
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, INITIAL_PASSWORD, make_client

CONNECTOR = "/api/v1/configuration/connector"
PASSWORD_CHANGE = f"{CONNECTOR}/authentication/basic"
NEW_PASSWORD = "Brand-new-Pa55!"
WRONG_PASSWORD = "Wr0ng-guess-Pa55!"
CLI_PASSWORD = "Cli-user-Pa55!"


def _events(settings: Settings) -> list[dict[str, object]]:
    text = (settings.data_dir / AUDIT_LOG.name).read_text()
    return [json.loads(line) for line in text.splitlines()]


def _find(events: list[dict[str, object]], event: str) -> dict[str, object]:
    matches = [e for e in events if e["event"] == event]
    assert matches, f"no {event} in {[e['event'] for e in events]}"
    return matches[-1]


def test_successful_login_is_audited_with_who_when_and_how(
    admin: TestClient, admin_settings: Settings
) -> None:
    """A login records the user, the time (epoch ms) and the method."""
    admin.get(CONNECTOR)

    entry = _find(_events(admin_settings), "login.success")

    assert entry["actor"] == ADMINISTRATOR
    assert entry["method"] == "basic"
    assert isinstance(entry["time"], int)
    assert entry["time"] > 1_600_000_000_000


def test_form_login_is_audited(admin_app: Starlette, admin_settings: Settings) -> None:
    """A form login records method form."""
    with make_client(admin_app) as client:
        client.post(
            "/j_security_check", data={"j_username": ADMINISTRATOR, "j_password": ADMIN_PASSWORD}
        )

    assert _find(_events(admin_settings), "login.success")["method"] == "form"


def test_failed_login_is_audited(admin: TestClient, admin_settings: Settings) -> None:
    """A wrong password records login.failure for the claimed user."""
    admin.get(CONNECTOR, auth=(ADMINISTRATOR, WRONG_PASSWORD))

    assert _find(_events(admin_settings), "login.failure")["actor"] == ADMINISTRATOR


def test_password_change_is_audited(client: TestClient, settings: Settings) -> None:
    """A password change records who changed their password."""
    client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": NEW_PASSWORD},
    )

    assert _find(_events(settings), "password.changed")["actor"] == ADMINISTRATOR


def test_refused_password_change_is_audited(client: TestClient, settings: Settings) -> None:
    """A password change with a wrong old password is recorded as refused."""
    client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        json={"oldPassword": WRONG_PASSWORD, "newPassword": NEW_PASSWORD},
    )

    assert _find(_events(settings), "password.change_refused")["actor"] == ADMINISTRATOR


def test_configuration_changes_are_audited(admin: TestClient, admin_settings: Settings) -> None:
    """Changing the description records who and which operation, never the value."""
    admin.put(CONNECTOR, json={"description": "audited change"})

    entry = _find(_events(admin_settings), "connector.description")

    assert entry["actor"] == ADMINISTRATOR
    assert entry["operation"] == "PUT /api/v1/configuration/connector"
    assert "audited change" not in json.dumps(entry)


def test_ha_role_change_is_audited(client: TestClient, settings: Settings) -> None:
    """Setting the HA role records the role."""
    client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": NEW_PASSWORD},
    )
    client.post(f"{CONNECTOR}/haRole", auth=(ADMINISTRATOR, NEW_PASSWORD), json="master")

    entry = _find(_events(settings), "connector.haRole")

    assert (entry["actor"], entry["role"]) == (ADMINISTRATOR, "master")


@pytest.mark.parametrize(
    ("args", "event"),
    [
        (["add", "carol", "--role", "sccdisplay"], "user.added"),
        (["set-password", "carol"], "user.password_set"),
        (["remove", "carol"], "user.removed"),
    ],
)
def test_user_changes_from_the_cli_are_audited(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, args: list[str], event: str
) -> None:
    """Adding, re-keying and removing users is recorded with the user concerned."""
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    open_instance(settings).close()  # as `openscc serve` leaves it
    runner = CliRunner()
    data_dir = ["--data-dir", str(settings.data_dir)]
    if args[0] != "add":
        runner.invoke(
            cli,
            ["users", "add", "carol", "--role", "sccdisplay", *data_dir],
            input="carol-pa55word\n",
        )

    result = runner.invoke(cli, ["users", *args, *data_dir], input=f"{CLI_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    entry = _find(_events(settings), event)
    assert (entry["actor"], entry["user"]) == ("cli", "carol")


def test_audit_log_is_private_and_never_holds_a_password(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After logins, failures, password and user changes, no password used appears in the log."""
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    initial = (ADMINISTRATOR, INITIAL_PASSWORD)
    client.get(CONNECTOR, auth=initial)
    client.get(CONNECTOR, auth=(ADMINISTRATOR, WRONG_PASSWORD))
    client.put(
        PASSWORD_CHANGE, auth=initial, json={"oldPassword": WRONG_PASSWORD, "newPassword": "x1"}
    )
    client.put(
        PASSWORD_CHANGE,
        auth=initial,
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": NEW_PASSWORD},
    )
    client.post(f"{CONNECTOR}/haRole", auth=(ADMINISTRATOR, NEW_PASSWORD), json="master")
    client.post("/j_security_check", data={"j_username": ADMINISTRATOR, "j_password": NEW_PASSWORD})
    CliRunner().invoke(
        cli,
        ["users", "add", "dave", "--role", "admin", "--data-dir", str(settings.data_dir)],
        input=f"{CLI_PASSWORD}\n",
    )

    path = settings.data_dir / AUDIT_LOG.name
    text = path.read_text()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(text.splitlines()) >= 6
    for password in (INITIAL_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, CLI_PASSWORD):
        assert password not in text
    assert "$argon2" not in text

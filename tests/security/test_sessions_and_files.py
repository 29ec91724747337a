"""Sessions one user cannot use against another, password changes that end sessions everywhere,
the password policy, no redirects, clients that go away, private files, and an audit line for
every change."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.app import create_app
from openscc.auth.sessions import CSRF_HEADER, SESSION_COOKIE
from openscc.cli import cli
from openscc.instance import open_instance
from openscc.layout import AUDIT_LOG
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, INITIAL_PASSWORD, add_user, make_client
from support.populate import PKCS12_PASSWORD, PROXY_PASSWORD, populate_every_kind
from support.raw_asgi import send_raw
from support.server_process import ServerProcess

CONNECTOR = "/api/v1/configuration/connector"
PASSWORD_CHANGE = f"{CONNECTOR}/authentication/basic"
BACKUP = "/api/v1/configuration/backup"
ADMIN = (ADMINISTRATOR, ADMIN_PASSWORD)


def _audit(settings: Settings) -> list[dict[str, object]]:
    path = settings.data_dir / AUDIT_LOG.name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _cookie_client(app: Starlette, session_id: str) -> TestClient:
    client = make_client(app)
    client.cookies.set(SESSION_COOKIE, session_id)
    return client


def _established_session(app: Starlette, auth: tuple[str, str]) -> TestClient:
    """A client that logged on with the form and now uses only its session cookie."""
    client = make_client(app)
    response = client.post("/j_security_check", data={"j_username": auth[0], "j_password": auth[1]})
    assert response.status_code == 204
    return client


# 6. Sessions


@pytest.mark.volume
def test_one_user_flooding_sessions_cannot_end_another_users_session(admin_app: Starlette) -> None:
    """A display user's thousands of cookie-less basic-auth requests leave the administrator's
    session alive, keep only a bounded number of sessions and audit one logon, not thousands."""
    add_user(admin_app, "sccdisplay", name="flooder", password="Flooder-pa55word")
    administrator = _established_session(admin_app, ADMIN)
    sessions = admin_app.state.services.sessions

    flooder = make_client(admin_app, auth=("flooder", "Flooder-pa55word"))
    for _ in range(1_500):
        flooder.cookies.clear()
        assert flooder.get("/api/v1/connector/version").status_code == 200

    assert administrator.get(CONNECTOR).status_code == 200
    assert administrator.get(CONNECTOR).headers["content-type"] == "application/json"
    assert sessions.count_of("flooder") <= 16
    logons = [
        e
        for e in _audit(admin_app.state.services.instance.settings)
        if e["event"] == "login.success"
    ]
    assert sum(e["actor"] == "flooder" for e in logons) == 1


def test_a_user_only_ever_pushes_out_their_own_sessions(admin_settings: Settings) -> None:
    app = create_app(admin_settings.replace(max_sessions_per_user=3))
    add_user(app, "sccdisplay", name="viewer", password="Viewer-pa55word")
    administrator = _established_session(app, ADMIN)
    viewers = [_established_session(app, ("viewer", "Viewer-pa55word")) for _ in range(10)]

    assert administrator.get(CONNECTOR).headers["content-type"] == "application/json"
    alive = [v.get(CONNECTOR).headers["content-type"] == "application/json" for v in viewers]
    assert alive == [False] * 7 + [True] * 3


def test_a_provisional_session_works_once_its_cookie_comes_back(admin: TestClient) -> None:
    """The cookie and CSRF token a basic-auth request gets are a real session once used."""
    first = admin.get("/api/v1/connector/version")
    cookie, token = first.cookies[SESSION_COOKIE], first.headers[CSRF_HEADER]
    client = _cookie_client(admin.app, cookie)  # type: ignore[arg-type]

    changed = client.put(
        CONNECTOR, json={"description": "via session"}, headers={CSRF_HEADER: token}
    )

    assert changed.status_code == 200


# 7. Password changes end sessions everywhere


def test_a_password_set_by_the_cli_ends_the_running_servers_sessions(
    admin_app: Starlette, admin_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    administrator = _established_session(admin_app, ADMIN)
    assert administrator.get(CONNECTOR).headers["content-type"] == "application/json"

    result = CliRunner().invoke(
        cli,
        ["users", "set-password", ADMINISTRATOR, "--data-dir", str(admin_settings.data_dir)],
        input="Cli-set-pa55word\n",
    )

    assert result.exit_code == 0, result.output
    after = administrator.get(CONNECTOR)
    assert after.headers["content-type"].startswith("text/html")  # the logon page


def test_a_user_removed_by_the_cli_loses_their_sessions(
    admin_app: Starlette, admin_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    add_user(admin_app, "sccdisplay", name="leaver", password="Leaver-pa55word")
    leaver = _established_session(admin_app, ("leaver", "Leaver-pa55word"))

    result = CliRunner().invoke(
        cli, ["users", "remove", "leaver", "--data-dir", str(admin_settings.data_dir)]
    )

    assert result.exit_code == 0, result.output
    assert leaver.get(CONNECTOR).headers["content-type"].startswith("text/html")


# 8. Password policy


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("a", "too short"),
        (INITIAL_PASSWORD, "initial password"),
        ("administrator", "user name"),
        ("Short7!", "too short"),
    ],
)
def test_the_api_refuses_passwords_against_the_policy(
    client: TestClient, new: str, message: str
) -> None:
    response = client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": new},
    )

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert message in response.json()["message"]


def test_the_initial_password_cannot_come_back(client: TestClient) -> None:
    """manage -> something -> manage is refused at the second step: the rule stays in force."""
    first = client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": "Fresh-pa55word"},
    )
    back = client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, "Fresh-pa55word"),
        json={"oldPassword": "Fresh-pa55word", "newPassword": INITIAL_PASSWORD},
    )
    same = client.put(
        PASSWORD_CHANGE,
        auth=(ADMINISTRATOR, "Fresh-pa55word"),
        json={"oldPassword": "Fresh-pa55word", "newPassword": "Fresh-pa55word"},
    )

    assert first.status_code == 204
    assert back.status_code == 400
    assert same.status_code == 400
    assert "differ" in same.json()["message"]


def test_the_cli_applies_the_policy(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    create_app(settings)  # an initialised instance
    data_dir = ["--data-dir", str(settings.data_dir)]

    short = CliRunner().invoke(
        cli, ["users", "add", "bob", "--role", "sccdisplay", *data_dir], input="bob\n"
    )
    same = CliRunner().invoke(
        cli, ["users", "add", "carol", "--role", "sccdisplay", *data_dir], input="carol-pa55\n"
    )
    unchanged = CliRunner().invoke(
        cli, ["users", "set-password", "carol", *data_dir], input="carol-pa55\n"
    )

    assert short.exit_code == 1
    assert "too short" in short.output
    assert same.exit_code == 0, same.output
    assert unchanged.exit_code == 1
    assert "differ" in unchanged.output


def test_an_admin_password_from_the_environment_must_meet_the_policy(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"OPENSCC_ADMIN_PASSWORD is refused: .*too short"):
        open_instance(Settings.from_env({"OPENSCC_ADMIN_PASSWORD": "abc"}, data_dir=tmp_path))
    result = CliRunner().invoke(
        cli,
        ["serve", "--data-dir", str(tmp_path / "data")],
        env={"OPENSCC_ADMIN_PASSWORD": "manage"},
    )
    assert result.exit_code == 1
    assert "initial password" in result.output
    assert not (tmp_path / "data" / "config.db").exists()


# 9. No redirects


def test_a_trailing_slash_is_a_404_not_a_redirect_to_the_host_header(admin: TestClient) -> None:
    response = admin.get(f"{CONNECTOR}/", headers={"Host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["type"] == "NOT_FOUND"


def test_an_unauthenticated_trailing_slash_is_not_redirected_either(admin_app: Starlette) -> None:
    with make_client(admin_app) as anonymous:
        response = anonymous.get(f"{CONNECTOR}/", follow_redirects=False)

    assert response.status_code == 404
    assert "location" not in response.headers


# 11. A client that goes away


def test_a_client_that_disconnects_during_a_restore_upload_is_an_ordinary_event(
    admin_app: Starlette, admin_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    boundary = b"b0undary"
    first_part = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="backup"; filename="b.zip"\r\n'
        b"Content-Type: application/zip\r\n\r\n" + b"PK" + b"\0" * 200_000
    )
    headers = [
        (b"content-type", b"multipart/form-data; boundary=" + boundary),
        (b"content-length", b"400000"),
    ]

    caplog.set_level("INFO")
    # The first part, then the client goes away.
    send_raw(
        admin_app,
        "PUT",
        BACKUP,
        [{"type": "http.request", "body": first_part, "more_body": True}],
        headers=headers,
    )

    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert not [r for r in caplog.records if r.exc_info]
    assert any("went away" in r.getMessage() for r in caplog.records)
    data_dir = admin_settings.data_dir
    assert list((data_dir / "tmp").glob("*")) == [] if (data_dir / "tmp").exists() else True
    assert not (data_dir / "restore-staging").exists()
    assert not (data_dir / "restore-pending").exists()
    assert not admin_app.state.services.restore_pending


# 12. Private files


def _modes(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): oct(stat.S_IMODE(path.stat().st_mode))
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_every_file_an_in_process_instance_writes_is_0600(
    admin: TestClient, admin_settings: Settings
) -> None:
    admin.put(CONNECTOR, json={"description": "write something"})

    modes = _modes(admin_settings.data_dir)

    assert "config.db" in modes
    assert set(modes.values()) == {"0o600"}, modes


@pytest.mark.slow
def test_every_file_a_real_server_writes_is_0600(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "private", admin_password="Private-pa55word").start()
    with server.client(auth=server.admin_auth) as http:
        assert http.put(CONNECTOR, json={"description": "x"}).status_code == 200
        backup = http.post(BACKUP, json={"password": "Backup-pa55word"})
        assert backup.status_code == 200
        restored = http.put(
            BACKUP,
            files={"backup": ("b.zip", backup.content, "application/zip")},
            data={"password": "Backup-pa55word"},
        )
        assert restored.status_code == 204
    server.wait_ready()

    modes = _modes(server.data_dir)

    for name in (
        "config.db",
        "config.db-wal",
        "config.db-shm",
        "tls/ui-certificate.pem",
        "tls/ui-key.pem",
        "master.key",
        "props.ini",
        "audit.log",
    ):
        assert modes.get(name) == "0o600", (name, modes)
    assert set(modes.values()) == {"0o600"}, modes
    assert stat.S_IMODE(os.stat(server.data_dir).st_mode) == 0o700


# 13. One audit line per change


def test_every_successful_change_writes_one_audit_line_without_secrets(
    admin: TestClient, admin_settings: Settings
) -> None:
    changes: list[str] = []

    def count(response: object) -> None:
        request = response.request  # type: ignore[attr-defined]
        if request.method not in ("GET", "HEAD") and 200 <= response.status_code < 300:  # type: ignore[attr-defined]
            changes.append(f"{request.method} {request.url.path}")

    admin.event_hooks["response"].append(count)
    before = len(_audit(admin_settings))

    populate_every_kind(admin)
    for subaccount in admin.get("/api/v1/configuration/subaccounts").json():
        region, sid = subaccount["regionHost"], subaccount["subaccount"]
        path = f"/api/v1/configuration/subaccounts/{region}/{sid}"
        admin.delete(f"{path}/systemMappings")
        assert admin.delete(path).status_code == 204

    lines = _audit(admin_settings)[before:]
    audited = [line for line in lines if "operation" in line]
    assert len(changes) >= 29
    assert sum(change.startswith("DELETE") for change in changes) >= 3
    assert len(audited) == len(changes), (changes, [line["operation"] for line in audited])
    assert all(line["actor"] == ADMINISTRATOR for line in audited)
    text = (admin_settings.data_dir / AUDIT_LOG.name).read_text()
    for secret in (PROXY_PASSWORD, PKCS12_PASSWORD, "Cl0ud-Pa55word!"):
        assert secret not in text

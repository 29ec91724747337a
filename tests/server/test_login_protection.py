"""Password checks: 401s, unknown users, lockout after repeated failures, the credential cache."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.app import create_app
from openscc.auth.lockout import Lockout
from openscc.auth.passwords import Passwords
from openscc.cli import cli
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, make_client

CONNECTOR = "/api/v1/configuration/connector"
PASSWORD_CHANGE = "/api/v1/configuration/connector/authentication/basic"
ADMIN = (ADMINISTRATOR, ADMIN_PASSWORD)
MAX_FAILURES = 3
LOCKOUT_SECONDS = 60


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def guarded_app(admin_settings: Settings, clock: FakeClock) -> Starlette:
    """A ready instance that locks a user out after three failures, for a minute of fake time."""
    settings = admin_settings.replace(
        login_failures_before_lockout=MAX_FAILURES, lockout_seconds=LOCKOUT_SECONDS
    )
    return create_app(settings, clock=clock)


@pytest.fixture
def guarded(guarded_app: Starlette) -> Iterator[TestClient]:
    with make_client(guarded_app) as c:
        yield c


def _audit_events(app: Starlette) -> list[dict[str, object]]:
    path = app.state.services.instance.audit.path
    return [json.loads(line) for line in path.read_text().splitlines()]


def _fail(client: TestClient, user: str, times: int) -> None:
    for _ in range(times):
        assert client.get(CONNECTOR, auth=(user, "wrong")).status_code == 401


def test_wrong_password_is_401_with_basic_challenge(admin: TestClient) -> None:
    """Invalid credentials answer 401 UNAUTHORIZED with WWW-Authenticate: Basic."""
    response = admin.get(CONNECTOR, auth=(ADMINISTRATOR, "wrong"))

    assert response.status_code == 401
    assert response.json()["type"] == "UNAUTHORIZED"
    assert response.headers["www-authenticate"].startswith("Basic")


def test_missing_credentials_are_401_with_basic_challenge(admin_app: Starlette) -> None:
    """A request with no credentials at all answers 401 with WWW-Authenticate: Basic."""
    with make_client(admin_app) as client:
        response = client.get(CONNECTOR)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("header", ["Basic !!!", "Basic bm9jb2xvbg==", "Basic //79"])
def test_malformed_basic_header_is_401(admin_app: Starlette, header: str) -> None:
    """Undecodable, colon-less or non-UTF-8 basic credentials are 401, not a server error."""
    with make_client(admin_app) as client:
        response = client.get(CONNECTOR, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["type"] == "UNAUTHORIZED"


def test_unknown_user_costs_one_hash_verification_like_a_wrong_password(
    admin_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown user name runs the same Argon2 verification a wrong password does."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        calls.append(hash.split("$")[1])
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    with make_client(admin_app) as client:
        client.get(CONNECTOR, auth=(ADMINISTRATOR, "wrong"))
        wrong_password = list(calls)
        calls.clear()

        unknown = client.get(CONNECTOR, auth=("nobody", "wrong"))

    assert unknown.status_code == 401
    assert calls == wrong_password == ["argon2id"]


def test_verifying_against_no_hash_still_hashes() -> None:
    """Passwords.verify with no stored hash does a real verification and answers False."""
    passwords = Passwords("test")

    assert passwords.verify(None, "anything") is False
    assert passwords.verify(passwords.hash("pw"), "pw") is True


def test_repeated_failures_lock_the_user_out(guarded: TestClient) -> None:
    """After N failed logins even the right password answers 401 for a while."""
    _fail(guarded, ADMINISTRATOR, MAX_FAILURES)

    response = guarded.get(CONNECTOR, auth=ADMIN)

    assert response.status_code == 401
    assert response.json()["type"] == "UNAUTHORIZED"


def test_lockout_does_not_affect_other_users(guarded: TestClient, guarded_app: Starlette) -> None:
    """Locking one user out leaves every other user able to log in."""
    instance = guarded_app.state.services.instance
    with instance.store.transaction():
        instance.users.add("display", "sccdisplay", "display-pw")
    _fail(guarded, ADMINISTRATOR, MAX_FAILURES)

    response = guarded.get(CONNECTOR, auth=("display", "display-pw"))

    assert response.status_code == 200


def test_lockout_expires(guarded: TestClient, clock: FakeClock) -> None:
    """When the lockout time has passed, the right password works again."""
    _fail(guarded, ADMINISTRATOR, MAX_FAILURES)
    clock.now += LOCKOUT_SECONDS + 1

    response = guarded.get(CONNECTOR, auth=ADMIN)

    assert response.status_code == 200


def test_failures_below_the_limit_do_not_lock(guarded: TestClient) -> None:
    """Fewer failures than the limit, then a success, leave the user able to log in."""
    _fail(guarded, ADMINISTRATOR, MAX_FAILURES - 1)

    response = guarded.get(CONNECTOR, auth=ADMIN)

    assert response.status_code == 200


def test_form_login_honours_the_lockout(guarded: TestClient) -> None:
    """A locked-out user cannot start a session through the login form either."""
    _fail(guarded, ADMINISTRATOR, MAX_FAILURES)

    response = guarded.post(
        "/j_security_check", data={"j_username": ADMINISTRATOR, "j_password": ADMIN_PASSWORD}
    )

    assert response.status_code == 401


def test_lockout_is_audited(guarded: TestClient, guarded_app: Starlette) -> None:
    """Failures, the lockout and refused attempts while locked out are all in the audit log."""
    _fail(guarded, ADMINISTRATOR, MAX_FAILURES)
    guarded.get(CONNECTOR, auth=ADMIN)

    events = [(e["event"], e["actor"]) for e in _audit_events(guarded_app)]

    assert events[-(MAX_FAILURES + 1) :] == [
        *[("login.failure", ADMINISTRATOR)] * (MAX_FAILURES - 1),
        ("login.lockout", ADMINISTRATOR),
        ("login.refused_locked", ADMINISTRATOR),
    ]


def test_old_password_stops_working_at_once_after_a_change(admin: TestClient) -> None:
    """A password change clears the credential cache: the old password fails on the next request."""
    assert admin.get(CONNECTOR).status_code == 200  # now cached
    admin.put(PASSWORD_CHANGE, json={"oldPassword": ADMIN_PASSWORD, "newPassword": "Next-pa55word"})

    old = admin.get(CONNECTOR, auth=ADMIN)
    new = admin.get(CONNECTOR, auth=(ADMINISTRATOR, "Next-pa55word"))

    assert old.status_code == 401
    assert new.status_code == 200


def test_password_set_by_the_cli_ends_the_cached_password_at_once(
    admin: TestClient, admin_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A password set by `openscc users set-password` beside a running server applies at once."""
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    assert admin.get(CONNECTOR).status_code == 200  # now cached
    result = CliRunner().invoke(
        cli,
        ["users", "set-password", ADMINISTRATOR, "--data-dir", str(admin_settings.data_dir)],
        input="Cli-pa55word\n",
    )
    assert result.exit_code == 0, result.output

    old = admin.get(CONNECTOR, auth=ADMIN)
    new = admin.get(CONNECTOR, auth=(ADMINISTRATOR, "Cli-pa55word"))

    assert old.status_code == 401
    assert new.status_code == 200


def test_cached_credentials_skip_the_hash(
    admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeated basic-auth requests with the same credentials verify the hash only once."""
    calls: list[int] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        calls.append(1)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)

    statuses = [admin.get(CONNECTOR, headers={"Connection": "close"}).status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert len(calls) == 1


def test_wrong_old_passwords_count_towards_the_lockout(
    guarded: TestClient, guarded_app: Starlette
) -> None:
    """Guessing the old password through a session locks the user out like failed logins do."""
    guarded.get(CONNECTOR, auth=ADMIN)  # starts a session; its cookie stays in the client
    token = guarded.get(CONNECTOR).headers["x-csrf-token"]
    for _ in range(MAX_FAILURES):
        refused = guarded.put(
            PASSWORD_CHANGE,
            json={"oldPassword": "guess", "newPassword": "Next-pa55word"},
            headers={"X-CSRF-Token": token},
        )
        assert refused.status_code == 400

    right_old = guarded.put(
        PASSWORD_CHANGE,
        json={"oldPassword": ADMIN_PASSWORD, "newPassword": "Next-pa55word"},
        headers={"X-CSRF-Token": token},
    )
    login = guarded.get(CONNECTOR, auth=ADMIN)

    assert right_old.status_code == 400
    assert login.status_code == 401
    assert ("login.lockout", ADMINISTRATOR) in [
        (e["event"], e["actor"]) for e in _audit_events(guarded_app)
    ]


def _fail_once(lockout: Lockout, user: str) -> bool:
    attempt = lockout.begin(user)
    assert attempt is not None
    return attempt.failed()


def test_a_flood_of_made_up_names_does_not_lift_a_lockout_and_stays_bounded() -> None:
    """Bounding the failure table keeps every user who is locked out, and the table stays
    within its cap however many names are tried."""
    clock = FakeClock()
    lockout = Lockout(max_failures=2, lockout_seconds=300, clock=clock, max_entries=1_000)
    _fail_once(lockout, ADMINISTRATOR)
    assert _fail_once(lockout, ADMINISTRATOR)
    assert lockout.is_locked(ADMINISTRATOR)

    for number in range(20_000):
        clock.now += 0.1  # 2,000 s in all: old failures age out of the window
        _fail_once(lockout, f"made-up-{number}")
        if number == 100:
            assert lockout.is_locked(ADMINISTRATOR)

    assert len(lockout) <= 1_000 + 1
    assert not lockout.is_locked(ADMINISTRATOR)  # the lock ended with its time, not the flood

"""Logons of directory users against a real OpenLDAP server (slapd, started per test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from openscc.auth.ldap.logons import DIRECTORY_DOWN
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, instance_of
from support.in_process import InProcessServer
from support.ldap_server import AUTH_V1, CONNECTOR, LDAP_V2, LdapServer, enable_ldap, make_ca

pytestmark = pytest.mark.slow


def _auth(directory: LdapServer, name: str) -> tuple[str, str]:
    return name, directory.passwords[name]


def _audit_events(client: TestClient) -> list[dict[str, object]]:
    path: Path = instance_of(client.app).audit.path  # type: ignore[arg-type]
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_directory_user_logs_on_with_the_directory_password(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """With LDAP on, alice (group sccadmin) logs on with her directory password and may change
    the configuration as the Administrator role."""
    enable_ldap(admin, ldap_directory)
    alice = _auth(ldap_directory, "alice")

    read = admin.get(AUTH_V1, auth=alice)
    change = admin.put(CONNECTOR, auth=alice, json={"description": "by alice"})

    assert read.status_code == 200
    assert read.json()["type"] == "ldap"
    assert change.status_code == 200
    assert change.json()["description"] == "by alice"


@pytest.mark.parametrize(
    ("name", "may_change", "options"),
    [
        ("alice", True, {}),
        ("bob", False, {}),
        ("dave", True, {"customAdminRole": "ops-admins"}),
    ],
)
def test_the_role_comes_from_the_groups(
    admin: TestClient,
    ldap_directory: LdapServer,
    name: str,
    may_change: bool,
    options: dict[str, str],
) -> None:
    """sccadmin's group grants the Administrator role, sccdisplay's the Display role (reads only),
    and a custom role name replaces the default one."""
    enable_ldap(admin, ldap_directory, **options)
    user = _auth(ldap_directory, name)

    read = admin.get(CONNECTOR, auth=user)
    change = admin.put(CONNECTOR, auth=user, json={"description": name})

    assert read.status_code == 200
    assert change.status_code == (200 if may_change else 403)
    if not may_change:
        assert change.json()["message"].endswith("User has role(s) sccdisplay")


def test_a_custom_role_name_replaces_the_default_one(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """With customAdminRole set, the group sccadmin no longer grants the Administrator role."""
    enable_ldap(admin, ldap_directory, customAdminRole="ops-admins")

    response = admin.get(CONNECTOR, auth=_auth(ldap_directory, "alice"))

    assert response.status_code == 403
    assert response.json()["type"] == "FORBIDDEN_REQUEST"


def test_nested_groups_count_with_role_nested(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """erin is in support-team, itself a member of sccsupport: roleNested="true" finds the role."""
    enable_ldap(admin, ldap_directory, config=ldap_directory.rules(roleNested="true"))

    read = admin.get(CONNECTOR, auth=_auth(ldap_directory, "erin"))
    change = admin.put(CONNECTOR, auth=_auth(ldap_directory, "erin"), json={"description": "x"})

    assert read.status_code == 200
    assert change.json()["message"].endswith("User has role(s) sccsupport")


def test_a_user_pattern_and_a_role_attribute_of_the_users_entry(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """userPattern gives the DN without a search; userRoleName reads role names from the user's
    own entry: dave's employeeType names sccmonitoring."""
    rules = f'userPattern="uid={{0}},ou=users,{ldap_directory.suffix}" userRoleName="employeeType"'
    enable_ldap(admin, ldap_directory, config=rules)
    dave = _auth(ldap_directory, "dave")

    read = admin.get(CONNECTOR, auth=dave)
    change = admin.put(CONNECTOR, auth=dave, json={"description": "x"})
    alice = admin.get(CONNECTOR, auth=_auth(ldap_directory, "alice"))

    assert read.status_code == 200
    assert change.json()["message"].endswith("User has role(s) sccmonitoring")
    assert alice.status_code == 403  # her entry names no role, and no groups are searched


def test_a_user_with_several_role_groups_holds_each_role(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """frank is in sccassocadmin and sccsubadmin: both roles apply, the Associate Administrator's
    first (it may change the connector's description, which sccsubadmin may not)."""
    enable_ldap(admin, ldap_directory)

    response = admin.put(
        CONNECTOR, auth=_auth(ldap_directory, "frank"), json={"description": "by frank"}
    )

    assert response.status_code == 200


def test_a_wrong_password_is_401(admin: TestClient, ldap_directory: LdapServer) -> None:
    """A wrong directory password is 401 UNAUTHORIZED, written to the audit log as a failure."""
    enable_ldap(admin, ldap_directory)

    response = admin.get(CONNECTOR, auth=("alice", "not-alices-password"))

    assert response.status_code == 401
    assert response.json()["type"] == "UNAUTHORIZED"
    assert "JSESSIONID" not in response.headers.get("set-cookie", "")
    assert {"event": "login.failure", "actor": "alice", "store": "ldap"}.items() <= (
        _audit_events(admin)[-1].items()
    )


def test_an_unknown_user_is_401(admin: TestClient, ldap_directory: LdapServer) -> None:
    enable_ldap(admin, ldap_directory)

    response = admin.get(CONNECTOR, auth=("mallory", "some-password"))

    assert response.status_code == 401


def test_repeated_wrong_passwords_lock_the_directory_user_out(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """The lockout applies to directory logons: after 5 failures even the right password is 401."""
    enable_ldap(admin, ldap_directory)
    for _ in range(5):
        assert admin.get(CONNECTOR, auth=("bob", "wrong-password")).status_code == 401

    response = admin.get(CONNECTOR, auth=_auth(ldap_directory, "bob"))

    assert response.status_code == 401
    assert _audit_events(admin)[-1]["event"] == "login.refused_locked"


def test_a_user_in_no_role_group_is_refused_with_403(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """carol's password is right but her groups grant no role: 403, and no session starts."""
    enable_ldap(admin, ldap_directory)

    response = admin.get(CONNECTOR, auth=_auth(ldap_directory, "carol"))

    assert response.status_code == 403
    assert response.json()["type"] == "FORBIDDEN_REQUEST"
    assert "none of the Cloud Connector's roles" in response.json()["message"]
    assert "set-cookie" not in response.headers


def test_the_form_login_works_for_directory_users(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """POST /j_security_check with directory credentials starts a session the cookie carries."""
    enable_ldap(admin, ldap_directory)
    bob, password = _auth(ldap_directory, "bob")

    login = admin.post(
        "/j_security_check", data={"j_username": bob, "j_password": password}, auth=None
    )
    read = admin.get(CONNECTOR, auth=None)

    assert login.status_code == 204
    assert read.status_code == 200
    assert read.headers["content-type"] == "application/json"


def test_local_users_cannot_log_on_while_ldap_is_on(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """The directory replaces the local users (as in the product): the local Administrator's
    password no longer logs on, and turning LDAP off brings the local users back."""
    enable_ldap(admin, ldap_directory)

    refused = admin.get(CONNECTOR, auth=(ADMINISTRATOR, ADMIN_PASSWORD))
    off = admin.put(LDAP_V2, auth=_auth(ldap_directory, "alice"), json={"enabled": False})
    back = admin.get(CONNECTOR, auth=(ADMINISTRATOR, ADMIN_PASSWORD))

    assert refused.status_code == 401
    assert off.status_code == 204
    assert back.status_code == 200


def test_an_unreachable_directory_refuses_logons_with_a_clear_401(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """With the directory down, a logon is 401 saying so (never 500), no session starts, and the
    local Administrator gets no access instead."""
    enable_ldap(admin, ldap_directory)
    ldap_directory.stop()

    directory_user = admin.get(CONNECTOR, auth=_auth(ldap_directory, "alice"))
    local_user = admin.get(CONNECTOR, auth=(ADMINISTRATOR, ADMIN_PASSWORD))

    assert directory_user.status_code == 401
    assert directory_user.json() == {"type": "UNAUTHORIZED", "message": DIRECTORY_DOWN}
    assert "set-cookie" not in directory_user.headers
    assert local_user.status_code == 401
    assert _audit_events(admin)[-1]["event"] == "login.directory_unreachable"


def test_the_alternate_host_is_used_when_the_first_does_not_answer(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """A host that refuses connections is skipped for the alternate host."""
    configuration = ldap_directory.configuration()
    configuration["hosts"] = [
        {"host": "127.0.0.1", "port": "1", "isSecure": False},
        *configuration["hosts"],  # type: ignore[misc]
    ]
    response = admin.put(
        LDAP_V2, json={"enabled": True, "orderedLdapConfigurations": [configuration]}
    )

    assert response.status_code == 204
    assert admin.get(CONNECTOR, auth=_auth(ldap_directory, "bob")).status_code == 200


def test_the_next_server_authenticates_a_user_the_first_does_not_know(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """Servers are tried in order: the first (users searched where there are none) refuses bob,
    the second authenticates him."""
    empty = ldap_directory.configuration(
        config=ldap_directory.rules(userBase=f"ou=groups,{ldap_directory.suffix}")
    )
    response = admin.put(
        LDAP_V2,
        json={
            "enabled": True,
            "orderedLdapConfigurations": [empty, ldap_directory.configuration()],
        },
    )

    assert response.status_code == 204
    assert admin.get(CONNECTOR, auth=_auth(ldap_directory, "bob")).status_code == 200


@pytest.mark.parametrize("transport", ["starttls", "ldaps"])
def test_tls_with_the_ca_of_the_configuration(
    admin: TestClient, ldap_directory: LdapServer, transport: str
) -> None:
    """StartTLS (useStartTls="true") and LDAPS (isSecure) work with the configuration's CA."""
    options = {"start_tls": True} if transport == "starttls" else {"secure": True}
    enable_ldap(admin, ldap_directory, **options)

    response = admin.get(CONNECTOR, auth=_auth(ldap_directory, "alice"))

    assert response.status_code == 200


@pytest.mark.parametrize("transport", ["starttls", "ldaps"])
def test_a_certificate_from_another_ca_is_refused(
    admin: TestClient, ldap_directory: LdapServer, transport: str
) -> None:
    """Enabling a TLS configuration whose CA did not sign the server's certificate is 409
    INVALID_CONFIGURATION and stores nothing."""
    other = make_ca("another CA").certificate_pem
    options = {"start_tls": True} if transport == "starttls" else {"secure": True}
    body = {
        "enabled": True,
        "orderedLdapConfigurations": [ldap_directory.configuration(ca=other, **options)],
    }

    response = admin.put(LDAP_V2, json=body)

    assert response.status_code == 409
    assert response.json()["type"] == "INVALID_CONFIGURATION"
    assert "certificate is not trusted" in response.json()["message"]
    assert admin.get(LDAP_V2).json() == {"enabled": False, "orderedLdapConfigurations": []}


@pytest.mark.parametrize("transport", ["starttls", "ldaps"])
def test_logons_stop_when_the_certificate_no_longer_verifies(
    admin: TestClient, ldap_directory: LdapServer, transport: str
) -> None:
    """A configuration whose CA no longer matches the server refuses logons with 401: no logon
    falls back to an unverified or plain connection."""
    options = {"start_tls": True} if transport == "starttls" else {"secure": True}
    enable_ldap(admin, ldap_directory, **options)
    store = instance_of(admin.app).store  # type: ignore[arg-type]
    record = store.get("ldapServer", "0", with_secret=True)
    assert record is not None
    with store.transaction():
        store.put(
            record.__class__(
                kind=record.kind,
                key=record.key,
                parent=None,
                body={**record.body, "caCertificate": make_ca("another CA").certificate_pem},
                secret=record.secret,
            )
        )

    response = admin.get(CONNECTOR, auth=_auth(ldap_directory, "alice"))

    assert response.status_code == 401
    assert response.json()["message"] == DIRECTORY_DOWN


def test_a_directory_user_cannot_change_a_local_password(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """PUT authentication/basic is 409 for a directory user: the directory owns their password."""
    enable_ldap(admin, ldap_directory)
    alice, password = _auth(ldap_directory, "alice")

    response = admin.put(
        f"{AUTH_V1}/basic",
        auth=(alice, password),
        json={"oldPassword": password, "newPassword": "Another-pa55word"},
    )

    assert response.status_code == 409


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_ends_when_the_users_role_changes(
    tmp_path: Path, ldap_directory: LdapServer
) -> None:
    """A session's role is read again after directory_recheck_seconds: bob moved from sccdisplay
    to sccadmin keeps his Display session until then; then it ends (the login page), and his next
    logon gets the Administrator role."""
    clock = _Clock()
    with InProcessServer(tmp_path / "data", clock=clock, directory_recheck_seconds=60) as server:
        client = TestClient(server, base_url="https://testserver")
        client.auth = server.auth
        enable_ldap(client, ldap_directory)
        bob = _auth(ldap_directory, "bob")
        first = client.get(CONNECTOR, auth=bob)  # starts a session; its cookie is kept
        assert first.status_code == 200
        token = first.headers["x-csrf-token"]
        ldap_directory.set_members("sccdisplay", ["alice"])
        ldap_directory.set_members("sccadmin", ["alice", "bob"])

        clock.now += 30
        before = client.put(
            CONNECTOR, auth=None, headers={"X-CSRF-Token": token}, json={"description": "x"}
        )
        clock.now += 31
        after = client.get(CONNECTOR, auth=None)
        again = client.put(CONNECTOR, auth=bob, json={"description": "by bob"})

    assert before.status_code == 403
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/html")
    assert again.status_code == 200


def test_a_session_ends_when_the_directory_cannot_confirm_the_role(
    tmp_path: Path, ldap_directory: LdapServer
) -> None:
    """At the role check, a directory that does not answer ends the session: nothing is granted
    on an old answer."""
    clock = _Clock()
    with InProcessServer(tmp_path / "data", clock=clock, directory_recheck_seconds=60) as server:
        client = TestClient(server, base_url="https://testserver")
        client.auth = server.auth
        enable_ldap(client, ldap_directory)
        assert client.get(CONNECTOR, auth=_auth(ldap_directory, "alice")).status_code == 200
        ldap_directory.stop()

        clock.now += 10
        during = client.get(CONNECTOR, auth=None)
        clock.now += 60
        after = client.get(CONNECTOR, auth=None)

    assert during.status_code == 200
    assert during.headers["content-type"] == "application/json"
    assert after.headers["content-type"].startswith("text/html")

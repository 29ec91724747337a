"""The LDAP configuration API (v1 and v2): shapes, status codes, errors and roles.

Tests that store drafts (LDAP authentication off) ask no server; those that turn LDAP on need a
directory that answers and are marked slow (they start slapd).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from openscc.auth.roles import ROLE_NAMES
from support.apps import UserFactory, instance_of
from support.ldap_server import (
    AUTH_V1,
    AUTH_V2,
    LDAP_V1,
    LDAP_V2,
    SERVERS,
    LdapServer,
    enable_ldap,
    make_ca,
)

RULES = (
    'roleBase="ou=groups,dc=scc" roleName="cn" roleSearch="(uniqueMember={0})" '
    'userBase="ou=users,dc=scc" userSearch="(uid={0})"'
)


def _server(**fields: Any) -> dict[str, Any]:
    """A configuration object for a host nobody asks while LDAP is off."""
    body: dict[str, Any] = {
        "config": RULES,
        "hosts": [{"host": "ldap.corp", "port": "10389", "isSecure": False}],
        "user": "cn=connector,dc=scc",
        "password": "Connector-pa55",
    }
    body.update(fields)
    return body


def _draft(admin: TestClient, *servers: dict[str, Any]) -> None:
    response = admin.put(
        LDAP_V2, json={"enabled": False, "orderedLdapConfigurations": list(servers)}
    )
    assert response.status_code == 204, response.text


def _stored_password(admin: TestClient, server_id: str) -> str | None:
    record = instance_of(admin.app).store.get("ldapServer", server_id, with_secret=True)  # type: ignore[arg-type]
    assert record is not None
    password: str | None = (record.secret or {}).get("password")
    return password


# Reads ----------------------------------------------------------------------------------------


def test_a_new_instance_authenticates_with_basic(admin: TestClient) -> None:
    """Without LDAP: v1 and v2 say basic; the LDAP configuration is off and empty."""
    assert admin.get(AUTH_V1).json() == {"type": "basic"}
    assert admin.get(AUTH_V2).json() == {"type": "basic"}
    assert admin.get(LDAP_V2).json() == {"enabled": False, "orderedLdapConfigurations": []}


def test_a_draft_is_shown_with_ids_and_the_password_masked(admin: TestClient) -> None:
    """Stored while off, servers get ids "0", "1" in order; ports read back as strings, the
    password as "***", unset custom roles not at all; authentication stays basic."""
    _draft(admin, _server(customAdminRole="admins"), _server(user="", password=""))

    ldap = admin.get(LDAP_V2).json()

    assert ldap == {
        "enabled": False,
        "orderedLdapConfigurations": [
            {
                "id": "0",
                "config": RULES,
                "hosts": [{"host": "ldap.corp", "port": "10389", "isSecure": False}],
                "user": "cn=connector,dc=scc",
                "password": "***",
                "customAdminRole": "admins",
            },
            {
                "id": "1",
                "config": RULES,
                "hosts": [{"host": "ldap.corp", "port": "10389", "isSecure": False}],
                "user": "",
            },
        ],
    }
    assert admin.get(f"{SERVERS}/1").json() == ldap["orderedLdapConfigurations"][1]
    assert admin.get(AUTH_V1).json() == {"type": "basic"}


def test_the_password_is_a_secret_never_shown(admin: TestClient) -> None:
    """The connection password is the entity's secret: not in its body, in no answer."""
    _draft(admin, _server())
    record = instance_of(admin.app).store.get("ldapServer", "0", with_secret=True)  # type: ignore[arg-type]

    assert record is not None
    assert record.secret == {"password": "Connector-pa55"}
    assert "Connector-pa55" not in json.dumps(record.body)
    assert "Connector-pa55" not in admin.get(LDAP_V2).text


def test_a_port_defaults_by_protocol(admin: TestClient) -> None:
    """Without a port: 389, or 636 for isSecure (LDAPS)."""
    _draft(admin, _server(hosts=[{"host": "a.corp"}, {"host": "b.corp", "isSecure": "true"}]))

    hosts = admin.get(f"{SERVERS}/0").json()["hosts"]

    assert hosts == [
        {"host": "a.corp", "port": "389", "isSecure": False},
        {"host": "b.corp", "port": "636", "isSecure": True},
    ]


def test_an_unknown_server_id_is_404(admin: TestClient) -> None:
    for response in (
        admin.get(f"{SERVERS}/7"),
        admin.put(f"{SERVERS}/7", json=_server()),
        admin.delete(f"{SERVERS}/7"),
        admin.post(f"{SERVERS}/7/move", json={"position": 0}),
    ):
        assert response.status_code == 404
        assert response.json()["type"] == "NOT_FOUND"


# Invalid configurations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"config": None}, "config is required"),
        ({"hosts": None}, "hosts is required"),
        ({"hosts": []}, "hosts must be a list of one or two hosts"),
        ({"hosts": [{"host": "a"}] * 3}, "hosts must be a list of one or two hosts"),
        ({"hosts": [{"port": 389}]}, "hosts[0].host is required"),
        ({"hosts": [{"host": "a", "port": 70000}]}, "hosts[0].port must be between"),
        ({"hosts": [{"host": "a", "isSecure": "maybe"}]}, "hosts[0].isSecure must be a boolean"),
        ({"hosts": [{"host": "a b"}]}, "is not a valid host name"),
        ({"config": 'referrals="follow"'}, "config attribute referrals is not supported"),
        ({"config": 'roleName="cn" roleSearch="(member={0})"'}, "exactly one of userPattern"),
        ({"config": 'userSearch="(uid={0})"'}, "config finds no roles"),
        ({"config": 'userSearch="(uid={0}" userRoleName="memberOf"'}, "not a valid LDAP filter"),
        ({"config": "userSearch=(uid={0})"}, 'attributes of the form name="value"'),
        ({"password": None}, "password is required when user is set"),
        ({"caCertificate": "not a certificate"}, "caCertificate must hold PEM"),
    ],
)
def test_an_invalid_configuration_is_400_and_stores_nothing(
    admin: TestClient, change: dict[str, Any], message: str
) -> None:
    body = {k: v for k, v in {**_server(), **change}.items() if v is not None}

    responses = [
        admin.put(LDAP_V2, json={"enabled": False, "orderedLdapConfigurations": [body]}),
        admin.put(LDAP_V1, json={"enable": False, "configuration": body}),
        admin.post(SERVERS, json=body),
    ]

    for response in responses:
        assert response.status_code == 400, response.text
        assert response.json()["type"] == "INVALID_REQUEST"
        assert message in response.json()["message"]
    assert admin.get(LDAP_V2).json() == {"enabled": False, "orderedLdapConfigurations": []}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (LDAP_V1, {}, "enable is required"),
        (LDAP_V1, {"enable": "yes"}, "enable must be a boolean"),
        (LDAP_V1, {"enable": True}, "configuration is required"),
        (LDAP_V2, {}, "enabled is required"),
        (LDAP_V2, {"enabled": True, "orderedLdapConfigurations": []}, "at least one"),
        (LDAP_V2, {"enabled": False, "orderedLdapConfigurations": {}}, "must be a list"),
        (LDAP_V2, {"enabled": False, "orderedLdapConfigurations": [_server()] * 4}, "at most 3"),
    ],
)
def test_invalid_switches_are_400(
    admin: TestClient, path: str, body: dict[str, Any], message: str
) -> None:
    response = admin.put(path, json=body)

    assert response.status_code == 400
    assert message in response.json()["message"]


# Servers: add, change, remove, move -----------------------------------------------------------


def test_adding_a_server_answers_201_with_its_location(admin: TestClient) -> None:
    """POST servers appends the server; Location names its id; an id in the body is ignored."""
    _draft(admin, _server())

    response = admin.post(SERVERS, json=_server(id="42", config=RULES + ' userSubtree="true"'))

    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{SERVERS}/1"
    assert [s["id"] for s in admin.get(LDAP_V2).json()["orderedLdapConfigurations"]] == ["0", "1"]
    assert admin.get(f"{SERVERS}/1").json()["config"].endswith('userSubtree="true"')


def test_a_fourth_server_is_refused(admin: TestClient) -> None:
    """At most three servers (as the product's UI): a fourth POST is 409 ILLEGAL_STATE."""
    _draft(admin, _server(), _server(), _server())

    response = admin.post(SERVERS, json=_server())

    assert response.status_code == 409
    assert response.json()["type"] == "ILLEGAL_STATE"


def test_changing_a_server_keeps_a_masked_password(admin: TestClient) -> None:
    """PUT servers/{id} with the password as read ("***") or left out keeps the stored one."""
    _draft(admin, _server())
    shown = admin.get(f"{SERVERS}/0").json()

    omitted = admin.put(f"{SERVERS}/0", json={k: v for k, v in shown.items() if k != "password"})
    masked = admin.put(f"{SERVERS}/0", json={**shown, "customDisplayRole": "viewers"})

    assert (masked.status_code, omitted.status_code) == (204, 204)
    assert _stored_password(admin, "0") == "Connector-pa55"
    assert admin.get(f"{SERVERS}/0").json()["customDisplayRole"] == "viewers"


def test_a_new_connection_user_needs_its_password(admin: TestClient) -> None:
    _draft(admin, _server())

    response = admin.put(f"{SERVERS}/0", json=_server(user="cn=other,dc=scc", password="***"))

    assert response.status_code == 400
    assert "password is required" in response.json()["message"]


def test_an_id_in_the_body_must_be_the_paths(admin: TestClient) -> None:
    _draft(admin, _server())

    response = admin.put(f"{SERVERS}/0", json=_server(id="1"))

    assert response.status_code == 400


def test_v2_put_keeps_known_ids_and_numbers_new_servers(admin: TestClient) -> None:
    """An entry with a stored server's id changes that server (its password kept when masked);
    entries without one are new servers with new ids."""
    _draft(admin, _server(), _server())
    first = admin.get(f"{SERVERS}/0").json()

    response = admin.put(
        LDAP_V2,
        json={"enabled": False, "orderedLdapConfigurations": [_server(), first]},
    )

    ids = [s["id"] for s in admin.get(LDAP_V2).json()["orderedLdapConfigurations"]]
    assert response.status_code == 204
    assert ids == ["2", "0"]
    assert _stored_password(admin, "0") == "Connector-pa55"
    assert admin.get(f"{SERVERS}/1").status_code == 404


def test_v1_put_replaces_the_list_with_one_server(admin: TestClient) -> None:
    """API v1 knows one server: its configuration replaces the list, keeping the first's id."""
    _draft(admin, _server(), _server())

    response = admin.put(LDAP_V1, json={"enable": False, "configuration": _server(user="")})

    servers = admin.get(LDAP_V2).json()["orderedLdapConfigurations"]
    assert response.status_code == 204
    assert [(s["id"], s["user"]) for s in servers] == [("0", "")]


def test_removing_a_server(admin: TestClient) -> None:
    """DELETE removes the server (204); the last one cannot be removed (409)."""
    _draft(admin, _server(), _server())

    removed = admin.delete(f"{SERVERS}/0")
    last = admin.delete(f"{SERVERS}/1")

    assert removed.status_code == 204
    assert last.status_code == 409
    assert [s["id"] for s in admin.get(LDAP_V2).json()["orderedLdapConfigurations"]] == ["1"]


@pytest.mark.parametrize(("position", "order"), [(0, ["2", "0", "1"]), ("1", ["0", "2", "1"])])
def test_moving_a_server(admin: TestClient, position: object, order: list[str]) -> None:
    """POST servers/{id}/move {position} puts it there (0 is first)."""
    _draft(admin, _server(), _server(), _server())

    response = admin.post(f"{SERVERS}/2/move", json={"position": position})

    assert response.status_code == 204
    assert [s["id"] for s in admin.get(LDAP_V2).json()["orderedLdapConfigurations"]] == order


@pytest.mark.parametrize("position", [3, -1, "first", None])
def test_moving_out_of_the_list_is_400(admin: TestClient, position: object) -> None:
    _draft(admin, _server(), _server(), _server())

    response = admin.post(f"{SERVERS}/2/move", json={"position": position})

    assert response.status_code == 400


# Roles -------------------------------------------------------------------------------------------


WRITES = [
    ("PUT", LDAP_V1, {"enable": False, "configuration": _server()}),
    ("PUT", LDAP_V2, {"enabled": False, "orderedLdapConfigurations": [_server()]}),
    ("POST", SERVERS, _server()),
    ("PUT", f"{SERVERS}/0", _server()),
    ("DELETE", f"{SERVERS}/0", None),
    ("POST", f"{SERVERS}/0/move", {"position": 0}),
]
READS = [AUTH_V1, AUTH_V2, LDAP_V2, f"{SERVERS}/0"]


@pytest.mark.parametrize("role", [r for r in ROLE_NAMES if r != "sccadmin"])
def test_only_the_administrator_role_changes_authentication(
    admin: TestClient, make_user: UserFactory, role: str
) -> None:
    """Every LDAP write is 403 for the other five roles, and changes nothing."""
    _draft(admin, _server())
    before = admin.get(LDAP_V2).json()
    user = make_user(role)

    statuses = [
        admin.request(method, path, json=body, auth=user).status_code
        for method, path, body in WRITES
    ]

    assert statuses == [403] * len(WRITES)
    assert admin.get(LDAP_V2).json() == before


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_role_reads_authentication(
    admin: TestClient, make_user: UserFactory, role: str
) -> None:
    _draft(admin, _server())
    user = make_user(role)

    assert [admin.get(path, auth=user).status_code for path in READS] == [200] * len(READS)


def test_changes_are_audited_without_secrets(admin: TestClient) -> None:
    """Each change writes one audit line naming it; the password is in none."""
    _draft(admin, _server())
    admin.post(SERVERS, json=_server())
    audit = instance_of(admin.app).audit.path  # type: ignore[arg-type]
    lines = [json.loads(line) for line in audit.read_text().splitlines()]

    assert [line["event"] for line in lines[-2:]] == ["ldap.changed", "ldap.server.created"]
    assert "Connector-pa55" not in audit.read_text()


# Turning LDAP on: the servers are asked ---------------------------------------------------------


@pytest.mark.slow
def test_enabled_ldap_is_shown_in_both_versions(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """v1: {type: ldap, configuration} (the first server, no id); v2: {type: ldap,
    orderedLdapConfigurations}; the LDAP configuration: enabled."""
    enable_ldap(admin, ldap_directory)
    alice = ("alice", ldap_directory.passwords["alice"])
    expected = {
        **ldap_directory.configuration(),
        "hosts": [{"host": "127.0.0.1", "port": str(ldap_directory.ldap_port), "isSecure": False}],
        "password": "***",
    }

    assert admin.get(AUTH_V1, auth=alice).json() == {"type": "ldap", "configuration": expected}
    assert admin.get(AUTH_V2, auth=alice).json() == {
        "type": "ldap",
        "orderedLdapConfigurations": [{"id": "0", **expected}],
    }
    assert admin.get(LDAP_V2, auth=alice).json()["enabled"] is True


@pytest.mark.slow
def test_v1_turns_ldap_on(admin: TestClient, ldap_directory: LdapServer) -> None:
    response = admin.put(
        LDAP_V1, json={"enable": "true", "configuration": ldap_directory.configuration()}
    )

    assert response.status_code == 204
    assert admin.get(AUTH_V1, auth=("bob", ldap_directory.passwords["bob"])).json()["type"] == (
        "ldap"
    )


@pytest.mark.slow
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_an_unreachable_server_is_409_and_nothing_is_stored(
    admin: TestClient, ldap_directory: LdapServer, version: str
) -> None:
    """Turning LDAP on with a server that does not answer is 409 INVALID_CONFIGURATION; the
    configuration stays as it was and local users keep logging on."""
    body = ldap_directory.configuration()
    body["hosts"] = [{"host": "127.0.0.1", "port": "1", "isSecure": False}]
    path, payload = (
        (LDAP_V1, {"enable": True, "configuration": body})
        if version == "v1"
        else (LDAP_V2, {"enabled": True, "orderedLdapConfigurations": [body]})
    )

    response = admin.put(path, json=payload)

    assert response.status_code == 409
    assert response.json()["type"] == "INVALID_CONFIGURATION"
    assert "127.0.0.1:1" in response.json()["message"]
    assert admin.get(LDAP_V2).json() == {"enabled": False, "orderedLdapConfigurations": []}


@pytest.mark.slow
def test_a_refused_connection_user_is_409(admin: TestClient, ldap_directory: LdapServer) -> None:
    body = ldap_directory.configuration(password="not-the-password")

    response = admin.put(LDAP_V2, json={"enabled": True, "orderedLdapConfigurations": [body]})

    assert response.status_code == 409
    assert "connection user" in response.json()["message"]


@pytest.mark.slow
def test_enabling_a_draft_asks_its_servers(admin: TestClient, ldap_directory: LdapServer) -> None:
    """A draft stored while off is checked when it is turned on (v1 {enable: true} alone)."""
    _draft(admin, ldap_directory.configuration())

    response = admin.put(LDAP_V1, json={"enable": True})

    assert response.status_code == 204
    assert admin.get(AUTH_V2, auth=("alice", ldap_directory.passwords["alice"])).json()["type"] == (
        "ldap"
    )


@pytest.mark.slow
def test_while_on_server_changes_are_checked(admin: TestClient, ldap_directory: LdapServer) -> None:
    """With LDAP on, adding or changing a server asks it first: 409 and no change when it does
    not answer or its certificate is not trusted."""
    enable_ldap(admin, ldap_directory)
    alice = ("alice", ldap_directory.passwords["alice"])
    dead = ldap_directory.configuration()
    dead["hosts"] = [{"host": "127.0.0.1", "port": "1"}]
    untrusted = ldap_directory.configuration(secure=True, ca=make_ca("other").certificate_pem)
    before = admin.get(LDAP_V2, auth=alice).json()

    added = admin.post(SERVERS, auth=alice, json=dead)
    changed = admin.put(f"{SERVERS}/0", auth=alice, json=untrusted)
    good = admin.post(SERVERS, auth=alice, json=ldap_directory.configuration(secure=True))

    assert (added.status_code, changed.status_code, good.status_code) == (409, 409, 201)
    assert (
        admin.get(LDAP_V2, auth=alice).json()["orderedLdapConfigurations"][0]
        == (before["orderedLdapConfigurations"][0])
    )

"""Testing an LDAP configuration with a logon before saving it (the product's "test
configuration"), against a real OpenLDAP server: nothing is stored, no lockout counts, the
password is never audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from support.apps import instance_of
from support.ldap_server import LDAP_V2, LdapServer

pytestmark = pytest.mark.slow

TEST = "/api/openscc/v1/ldap/test"


def test_a_configuration_is_tested_with_a_logon_and_nothing_is_stored(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    body = {"server": ldap_directory.configuration(), "user": "alice",
            "password": ldap_directory.passwords["alice"]}  # fmt: skip

    answer = admin.post(TEST, json=body)

    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["authenticated"] is True
    assert "sccadmin" in result["roles"]
    assert result["dn"].startswith("uid=alice")
    assert admin.get(LDAP_V2).json()["enabled"] is False  # nothing stored
    audit = Path(instance_of(admin.app).audit.path).read_text()  # type: ignore[arg-type]
    [line] = [json.loads(e) for e in audit.splitlines() if '"ldap.tested"' in e]
    assert (line["user"], line["authenticated"]) == ("alice", True)
    assert ldap_directory.passwords["alice"] not in audit


def test_a_wrong_password_is_said_and_locks_nobody_out(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    body = {"server": ldap_directory.configuration(), "user": "alice", "password": "wrong"}

    answers = [admin.post(TEST, json=body).json() for _ in range(6)]
    right = admin.post(TEST, json={**body, "password": ldap_directory.passwords["alice"]})

    assert {a["authenticated"] for a in answers} == {False}
    assert answers[0]["message"] == "the directory refused this user name or password"
    assert right.json()["authenticated"] is True


def test_an_unreachable_directory_is_named(admin: TestClient, ldap_directory: LdapServer) -> None:
    server = ldap_directory.configuration()
    server["hosts"] = [{"host": "127.0.0.1", "port": "1", "isSecure": False}]

    answer = admin.post(TEST, json={"server": server, "user": "alice", "password": "x"}).json()

    assert answer["authenticated"] is False
    assert answer["message"].startswith("no LDAP server could be asked: ")

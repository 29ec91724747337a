"""The initial password, the HA role and the shadow instance: what a fresh instance allows."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from openscc.api.http.authorization import HA_ROLE_MESSAGE, INITIAL_PASSWORD_MESSAGE, SHADOW_MESSAGE
from openscc.api.http.catalog import all_endpoints
from openscc.api.http.endpoints import Endpoint
from support.apps import ADMINISTRATOR, INITIAL_PASSWORD

PASSWORD_CHANGE = "/api/v1/configuration/connector/authentication/basic"
HA_ROLE = "/api/v1/configuration/connector/haRole"
SESSION = "/api/openscc/v1/session"
CONNECTOR = "/api/v1/configuration/connector"
NEW_PASSWORD = "N3w-Pa55word!"
INITIAL = (ADMINISTRATOR, INITIAL_PASSWORD)
CHANGED = (ADMINISTRATOR, NEW_PASSWORD)

ENDPOINTS = all_endpoints().endpoints


def _id(endpoint: Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def _concrete(path: str) -> str:
    """A request path for a templated route: every {param} becomes a plausible value."""
    return re.sub(r"{[^}]+}", "x", path)


def _call(client: TestClient, endpoint: Endpoint, auth: tuple[str, str]):
    kwargs = {} if endpoint.method in ("GET", "DELETE") else {"json": {}}
    return client.request(endpoint.method, _concrete(endpoint.path), auth=auth, **kwargs)


def _change_password(client: TestClient) -> None:
    response = client.put(
        PASSWORD_CHANGE,
        auth=INITIAL,
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": NEW_PASSWORD},
    )
    assert response.status_code == 204


def _refusals(
    client: TestClient, endpoints: list[Endpoint], auth: tuple[str, str], message: str
) -> list[str]:
    """The endpoints that did not answer 403 FORBIDDEN_REQUEST with ``message``."""
    expected = {"type": "FORBIDDEN_REQUEST", "message": message}
    wrong = []
    for endpoint in endpoints:
        response = _call(client, endpoint, auth)
        if response.status_code != 403 or response.json() != expected:
            wrong.append(f"{_id(endpoint)}: {response.status_code} {response.text[:120]}")
    return wrong


# One test per rule walks the whole endpoint table (which grows with every issue) on one app.
def test_every_call_but_the_password_change_is_refused_until_it_is_changed(
    client: TestClient,
) -> None:
    """Until the initial password is changed, every API call is 403 with the product's message."""
    endpoints = [e for e in ENDPOINTS if not (e.before_initial_password or e.peer_auth)]

    wrong = _refusals(client, endpoints, INITIAL, INITIAL_PASSWORD_MESSAGE)

    assert len(endpoints) >= 5
    assert wrong == []


def test_only_the_password_change_is_allowed_with_the_initial_password() -> None:
    """The password change is the one endpoint of a user exempt from the initial-password rule,
    with openscc's own session calls the web page needs to show the change and to log off (the
    public health checks take no user at all)."""
    exempt = {_id(e) for e in ENDPOINTS if e.before_initial_password and not e.public}
    public = [_id(e) for e in ENDPOINTS if e.public]

    assert exempt == {f"PUT {PASSWORD_CHANGE}", f"GET {SESSION}", f"DELETE {SESSION}"}
    assert public == ["GET /exposed"]


def test_changing_the_initial_password_answers_204_and_lifts_the_rule(client: TestClient) -> None:
    """PUT authentication/basic with the right old password changes it; the new one then works."""
    response = client.put(
        PASSWORD_CHANGE,
        auth=INITIAL,
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": NEW_PASSWORD},
    )
    role = client.get(HA_ROLE, auth=CHANGED)
    old = client.get(HA_ROLE, auth=INITIAL)

    assert response.status_code == 204
    assert response.content == b""
    assert role.status_code == 200
    assert old.status_code == 401


def test_password_change_with_wrong_old_password_is_invalid(client: TestClient) -> None:
    """A wrong oldPassword is 400 INVALID_REQUEST and changes nothing."""
    response = client.put(
        PASSWORD_CHANGE, auth=INITIAL, json={"oldPassword": "wrong", "newPassword": NEW_PASSWORD}
    )
    still_initial = client.get(HA_ROLE, auth=INITIAL)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert still_initial.json()["message"] == INITIAL_PASSWORD_MESSAGE


def test_password_change_to_the_same_password_is_invalid(client: TestClient) -> None:
    """Setting the password to its current value is 400 INVALID_REQUEST."""
    response = client.put(
        PASSWORD_CHANGE,
        auth=INITIAL,
        json={"oldPassword": INITIAL_PASSWORD, "newPassword": INITIAL_PASSWORD},
    )

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


@pytest.mark.parametrize(
    "body",
    [
        {"oldPassword": INITIAL_PASSWORD},
        {"newPassword": "x"},
        {"oldPassword": INITIAL_PASSWORD, "newPassword": ""},
        {"oldPassword": INITIAL_PASSWORD, "newPassword": 5},
        ["not", "an", "object"],
    ],
    ids=["no-new", "no-old", "empty-new", "number-new", "array"],
)
def test_password_change_with_incomplete_body_is_invalid(client: TestClient, body: object) -> None:
    """Missing, empty or non-string passwords are 400 INVALID_REQUEST."""
    response = client.put(PASSWORD_CHANGE, auth=INITIAL, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_configuration_calls_are_refused_until_the_ha_role_is_set(client: TestClient) -> None:
    """With the password changed but no HA role, configuration calls are 403 'HA role undefined'."""
    _change_password(client)
    endpoints = [e for e in ENDPOINTS if e.needs_ha_role]

    wrong = _refusals(client, endpoints, CHANGED, HA_ROLE_MESSAGE)

    assert len(endpoints) >= 3
    assert wrong == []


def test_only_version_ha_role_and_password_calls_work_without_an_ha_role() -> None:
    """The calls exempt from the HA-role rule are the ones needed to reach a role, and
    monitoring (a monitoring tool watches an instance whatever its role)."""
    exempt = {
        _id(e)
        for e in ENDPOINTS
        if not e.needs_ha_role and e.tag != "monitoring" and not e.peer_auth
    }
    monitoring = {_id(e) for e in ENDPOINTS if e.tag == "monitoring"}

    assert {
        "GET /api/v1/connector/version",
        f"GET {HA_ROLE}",
        f"POST {HA_ROLE}",
        f"PUT {HA_ROLE}",
        f"PUT {PASSWORD_CHANGE}",
        f"GET {SESSION}",
        f"DELETE {SESSION}",
    } == exempt
    assert all(not e.needs_ha_role for e in ENDPOINTS if _id(e) in monitoring)
    # the 12 of /api/monitoring and 2 older spellings of them, /exposed and /metrics
    assert len(monitoring) == 16


def test_ha_role_is_null_until_set(client: TestClient) -> None:
    """GET haRole answers JSON null while the role is undefined."""
    _change_password(client)

    response = client.get(HA_ROLE, auth=CHANGED)

    assert response.status_code == 200
    assert response.json() is None


@pytest.mark.parametrize("role", ["master", "shadow"])
def test_ha_role_can_be_set_once_to_master_or_shadow(client: TestClient, role: str) -> None:
    """POST haRole with the JSON string "master" or "shadow" sets it (204); GET then returns it."""
    _change_password(client)

    response = client.post(HA_ROLE, auth=CHANGED, json=role)
    current = client.get(HA_ROLE, auth=CHANGED)

    assert response.status_code == 204
    assert current.json() == role


@pytest.mark.parametrize(
    "value", ["primary", "MASTER", "", 1, None, {"role": "master"}, ["master"]]
)
def test_ha_role_other_values_are_invalid(client: TestClient, value: object) -> None:
    """Any value but the strings "master" and "shadow" is 400 INVALID_REQUEST."""
    _change_password(client)

    response = client.post(HA_ROLE, auth=CHANGED, json=value)
    current = client.get(HA_ROLE, auth=CHANGED)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert current.json() is None


def test_ha_role_cannot_be_set_twice(client: TestClient) -> None:
    """Setting the HA role again is 409 ILLEGAL_STATE, and the first role stays."""
    _change_password(client)
    client.post(HA_ROLE, auth=CHANGED, json="master")

    response = client.post(HA_ROLE, auth=CHANGED, json="shadow")
    current = client.get(HA_ROLE, auth=CHANGED)

    assert response.status_code == 409
    assert response.json()["type"] == "ILLEGAL_STATE"
    assert current.json() == "master"


def test_configuration_calls_work_once_the_ha_role_is_set(client: TestClient) -> None:
    """After password change and HA role, the connector configuration is readable."""
    _change_password(client)
    client.post(HA_ROLE, auth=CHANGED, json="master")

    response = client.get(CONNECTOR, auth=CHANGED)

    assert response.status_code == 200
    assert response.json() == {"ha": {"role": "master"}, "description": ""}


def test_shadow_instance_refuses_configuration_changes(client: TestClient) -> None:
    """On a shadow instance every configuration change (backups too) is 403 FORBIDDEN_REQUEST."""
    _change_password(client)
    client.post(HA_ROLE, auth=CHANGED, json="shadow")
    endpoints = [e for e in ENDPOINTS if e.changes_config]

    wrong = _refusals(client, endpoints, CHANGED, SHADOW_MESSAGE)

    assert f"PUT {CONNECTOR}" in {_id(e) for e in endpoints}
    assert wrong == []


def test_shadow_instance_still_answers_reads(client: TestClient) -> None:
    """A shadow instance refuses changes, not reads."""
    _change_password(client)
    client.post(HA_ROLE, auth=CHANGED, json="shadow")

    response = client.get(CONNECTOR, auth=CHANGED)

    assert response.status_code == 200
    assert response.json()["ha"] == {"role": "shadow"}

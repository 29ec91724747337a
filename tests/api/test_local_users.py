"""openscc's own local-user administration over the API: list, add, change role or password,
remove; Administrator only; the last administrator and the caller protected; no password
answered back."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from support.apps import ADMIN_PASSWORD, make_client

USERS = "/api/openscc/v1/users"
NEW_PASSWORD = "Operator-pa55word"


def test_an_administrator_adds_lists_changes_and_removes_a_user(
    admin: TestClient, admin_app: Starlette
) -> None:
    added = admin.post(
        USERS, json={"user": "operator", "role": "sccsupport", "password": NEW_PASSWORD}
    )

    assert added.status_code == 201, added.text
    assert added.json() == {"user": "operator", "role": "sccsupport", "initialPassword": False}
    assert {"user": "operator", "role": "sccsupport", "initialPassword": False} in admin.get(
        USERS
    ).json()
    assert NEW_PASSWORD not in admin.get(USERS).text
    # Clients not entered: entering would run the app's lifespan again (admin's client did).
    connector = "/api/v1/configuration/connector"
    operator = make_client(admin_app, auth=("operator", NEW_PASSWORD))
    assert operator.get(connector).status_code == 200
    assert operator.put(connector, json={"description": "x"}).status_code == 403

    assert admin.put(f"{USERS}/operator", json={"role": "sccassocadmin"}).status_code == 204
    assert admin.put(f"{USERS}/operator", json={"password": "Changed-pa55word"}).status_code == 204
    assert operator.get(connector).status_code == 401  # the old password is gone
    operator = make_client(admin_app, auth=("operator", "Changed-pa55word"))
    assert operator.put(connector, json={"description": "x"}).status_code == 200

    assert admin.delete(f"{USERS}/operator").status_code == 204
    assert "operator" not in [u["user"] for u in admin.get(USERS).json()]


def test_bad_input_is_refused_and_nothing_changes(admin: TestClient) -> None:
    before = admin.get(USERS).json()
    for body in (
        {"user": "x y!", "role": "sccsupport", "password": NEW_PASSWORD},
        {"user": "someone", "role": "superuser", "password": NEW_PASSWORD},
        {"user": "someone", "role": "sccsupport", "password": "short"},
        {"user": "someone", "role": "sccsupport"},
    ):
        response = admin.post(USERS, json=body)
        assert response.status_code == 400, body
        assert response.json()["type"] == "INVALID_REQUEST"
    assert admin.put(f"{USERS}/Administrator", json={"colour": "red"}).status_code == 400
    assert admin.put(f"{USERS}/nobody", json={"role": "sccsupport"}).status_code == 404
    assert admin.get(USERS).json() == before


def test_the_last_administrator_and_the_caller_are_protected(admin: TestClient) -> None:
    demoted = admin.put(f"{USERS}/Administrator", json={"role": "sccdisplay"})
    assert demoted.status_code == 409
    assert admin.delete(f"{USERS}/Administrator").status_code == 409
    assert admin.post(USERS, json={"user": "Administrator", "role": "sccadmin",
                                   "password": ADMIN_PASSWORD}).status_code == 409  # fmt: skip


def test_only_an_administrator_manages_users(client_of_role: object) -> None:
    for role in ("sccassocadmin", "sccsubadmin", "sccsupport", "sccdisplay", "sccmonitoring"):
        other = client_of_role(role)  # type: ignore[operator]
        assert other.get(USERS).status_code == 403
        assert (
            other.post(
                USERS, json={"user": "x", "role": "sccadmin", "password": NEW_PASSWORD}
            ).status_code
            == 403
        )

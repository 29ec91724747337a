"""PUT authentication/basic with {user, password}: the Administrator renames themself (the page's
"Change Basic Authentication User": user is the new name, password the current password)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc.api.http.authorization import INITIAL_PASSWORD_MESSAGE
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, INITIAL_PASSWORD, UserFactory

BASIC = "/api/v1/configuration/connector/authentication/basic"
CONNECTOR = "/api/v1/configuration/connector"


def test_the_administrator_renames_themself(admin: TestClient) -> None:
    """204; the new name logs on with the same password, the old name no longer does."""
    response = admin.put(BASIC, json={"user": "chief", "password": ADMIN_PASSWORD})

    assert response.status_code == 204
    assert admin.get(CONNECTOR, auth=("chief", ADMIN_PASSWORD)).status_code == 200
    assert admin.get(CONNECTOR, auth=(ADMINISTRATOR, ADMIN_PASSWORD)).status_code == 401


def test_the_old_names_sessions_end(admin: TestClient) -> None:
    """A session of the old name gets the login page after the rename."""
    first = admin.get(CONNECTOR)
    token = first.headers["x-csrf-token"]
    admin.get(CONNECTOR, auth=None)  # the cookie makes it a normal session

    admin.put(
        BASIC, json={"user": "chief", "password": ADMIN_PASSWORD}, headers={"X-CSRF-Token": token}
    )
    after = admin.get(CONNECTOR, auth=None)

    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/html")


def test_a_wrong_current_password_is_400(admin: TestClient) -> None:
    """As the page says: INVALID_REQUEST, and the name stays."""
    response = admin.put(BASIC, json={"user": "chief", "password": "not-the-password"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "INVALID_REQUEST",
        "message": "the current password is wrong",
    }
    assert admin.get(CONNECTOR).status_code == 200


@pytest.mark.parametrize("name", ["", "two words", "-dash-first", "x" * 65, 5])
def test_an_invalid_name_is_400(admin: TestClient, name: object) -> None:
    response = admin.put(BASIC, json={"user": name, "password": ADMIN_PASSWORD})

    assert response.status_code == 400


def test_a_taken_name_is_409(admin: TestClient, make_user: UserFactory) -> None:
    taken, _ = make_user("sccdisplay")

    response = admin.put(BASIC, json={"user": taken, "password": ADMIN_PASSWORD})

    assert response.status_code == 409
    assert admin.get(CONNECTOR).status_code == 200


def test_only_the_administrator_role_renames(admin: TestClient, make_user: UserFactory) -> None:
    """Renaming is the Administrator role's (the page); other local users only change their own
    password."""
    name, password = make_user("sccsubadmin")

    response = admin.put(
        BASIC, auth=(name, password), json={"user": "renamed", "password": password}
    )

    assert response.status_code == 403
    assert admin.get(CONNECTOR, auth=(name, password)).status_code == 200


def test_both_forms_at_once_are_400(admin: TestClient) -> None:
    body = {"user": "chief", "password": ADMIN_PASSWORD, "newPassword": "Another-pa55word"}

    response = admin.put(BASIC, json=body)

    assert response.status_code == 400


def test_a_missing_password_is_400(admin: TestClient) -> None:
    response = admin.put(BASIC, json={"user": "chief"})

    assert response.status_code == 400
    assert response.json()["message"] == "password is required"


def test_renaming_waits_for_the_initial_password_change(client: TestClient) -> None:
    """Before the initial password is changed, only the password change is allowed."""
    response = client.put(
        BASIC,
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        json={"user": "chief", "password": INITIAL_PASSWORD},
    )

    assert response.status_code == 403
    assert response.json()["message"] == INITIAL_PASSWORD_MESSAGE


def test_the_password_change_still_works(admin: TestClient) -> None:
    response = admin.put(
        BASIC, json={"oldPassword": ADMIN_PASSWORD, "newPassword": "Another-pa55word"}
    )

    assert response.status_code == 204
    assert admin.get(CONNECTOR, auth=(ADMINISTRATOR, "Another-pa55word")).status_code == 200

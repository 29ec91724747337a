"""Principal propagation settings: defaults, PUT and PATCH with the documented ranges, roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from support.config_api import CONFIG

PP = f"{CONFIG}/connector/onPremises/ppSettings"
ClientOfRole = Callable[[str], TestClient]


def test_defaults(admin: TestClient) -> None:
    assert admin.get(PP).json() == {"expirationToleranceInHr": 1, "certificateValidityInMin": 60}


def test_put_sets_both(admin: TestClient) -> None:
    body = {"expirationToleranceInHr": 336, "certificateValidityInMin": "43200"}

    assert admin.put(PP, json=body).status_code == 204

    assert admin.get(PP).json() == {
        "expirationToleranceInHr": 336,
        "certificateValidityInMin": 43200,
    }


def test_patch_changes_one_and_keeps_the_other(admin: TestClient) -> None:
    admin.put(PP, json={"expirationToleranceInHr": 5, "certificateValidityInMin": 90})

    assert admin.patch(PP, json={"certificateValidityInMin": 1}).status_code == 204

    assert admin.get(PP).json() == {"expirationToleranceInHr": 5, "certificateValidityInMin": 1}


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PUT", {}),  # empty input
        ("PUT", {"expirationToleranceInHr": 1}),  # a value not set
        ("PUT", {"expirationToleranceInHr": 0, "certificateValidityInMin": 60}),
        ("PUT", {"expirationToleranceInHr": 337, "certificateValidityInMin": 60}),
        ("PUT", {"expirationToleranceInHr": 1, "certificateValidityInMin": 43201}),
        ("PUT", {"expirationToleranceInHr": "one", "certificateValidityInMin": 60}),
        ("PUT", [1, 60]),
        ("PATCH", {}),
        ("PATCH", {"somethingElse": 1}),
        ("PATCH", {"certificateValidityInMin": 0}),
        ("PATCH", {"expirationToleranceInHr": 1.5}),
    ],
)
def test_invalid_input_is_refused_and_nothing_changes(
    admin: TestClient, method: str, body: object
) -> None:
    response = admin.request(method, PP, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert admin.get(PP).json() == {"expirationToleranceInHr": 1, "certificateValidityInMin": 60}


def test_an_empty_body_is_refused(admin: TestClient) -> None:
    response = admin.put(PP, content=b"", headers={"Content-Type": "application/json"})

    assert response.status_code == 400


def test_roles(admin: TestClient, client_of_role: ClientOfRole) -> None:
    """The three administrator roles change them; every role reads them."""
    body = {"expirationToleranceInHr": 2, "certificateValidityInMin": 60}
    for role in ("sccassocadmin", "sccsubadmin"):
        client = client_of_role(role)
        assert client.put(PP, json=body).status_code == 204, role
        assert client.patch(PP, json={"expirationToleranceInHr": 3}).status_code == 204, role
    for role in ("sccsupport", "sccdisplay", "sccmonitoring"):
        client = client_of_role(role)
        assert client.get(PP).status_code == 200, role
        assert client.put(PP, json=body).status_code == 403, role
        assert client.patch(PP, json={"expirationToleranceInHr": 4}).status_code == 403, role
    assert admin.get(PP).json()["expirationToleranceInHr"] == 3

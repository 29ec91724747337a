"""Location and _links are never built from a Host header that does not name this server: a
POST with Host: evil.example answered 201 with a Location on evil.example."""

from __future__ import annotations

from starlette.testclient import TestClient

USERS = "/api/openscc/v1/users"
SUBACCOUNTS = "/api/v1/configuration/subaccounts"


def _add_user(admin: TestClient, name: str, host: str) -> str:
    answer = admin.post(
        USERS,
        json={"user": name, "role": "sccdisplay", "password": "Display-pa55word"},
        headers={"Host": host},
    )
    assert answer.status_code == 201, answer.text
    return answer.headers["location"]


def test_a_foreign_host_header_is_not_reflected(admin: TestClient) -> None:
    location = _add_user(admin, "viewer", "evil.example")

    assert "evil.example" not in location
    assert location == "https://testserver/api/openscc/v1/users/viewer"


def test_a_host_header_naming_this_server_is_kept(admin: TestClient) -> None:
    """Clients that address the server by a name of its certificate or its address keep it."""
    assert _add_user(admin, "one", "localhost:8443").startswith("https://localhost:8443/")
    assert _add_user(admin, "two", "127.0.0.1:8443").startswith("https://127.0.0.1:8443/")


def test_links_in_bodies_follow_the_same_rule(admin: TestClient) -> None:
    created = admin.post(SUBACCOUNTS, json={
        "regionHost": "cf.eu10.hana.ondemand.com", "subaccount": "5ab5ab5a-0000-4000-8000-0000000000a1",
        "cloudUser": "admin@example.com", "cloudPassword": "Cl0ud-Pa55word!"})  # fmt: skip
    assert created.status_code == 201, created.text

    answer = admin.get(SUBACCOUNTS, headers={"Host": "evil.example"})

    assert answer.status_code == 200
    assert "_links" in answer.text
    assert "evil.example" not in answer.text

"""A page of another site cannot make a browser change the configuration: the browser sends
cached Basic credentials with any request, and a form can post multipart or JSON as text/plain
(which the API reads, as the product does). Changes a browser marks as coming from elsewhere
(Sec-Fetch-Site, Origin) are refused; the API's clients send neither and are unaffected."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

CONNECTOR = "/api/v1/configuration/connector"
BODY = '{"description": "planted"}'


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
     {"Origin": "https://evil.example"}, {"Origin": "null"}],
)  # fmt: skip
def test_a_change_from_another_site_is_refused(admin: TestClient, headers: dict[str, str]) -> None:
    before = admin.get(CONNECTOR).json()["description"]

    answer = admin.put(CONNECTOR, content=BODY, headers={"Content-Type": "text/plain", **headers})

    assert answer.status_code == 403
    assert answer.json()["type"] == "FORBIDDEN_REQUEST"
    assert admin.get(CONNECTOR).json()["description"] == before


def test_a_cross_site_restore_upload_is_refused(admin: TestClient) -> None:
    archive = admin.post("/api/v1/configuration/backup", json={"password": "Cross-site-pa55"})

    answer = admin.put(
        "/api/v1/configuration/backup",
        files={"backup": ("b.zip", archive.content)}, data={"password": "Cross-site-pa55"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )  # fmt: skip

    assert answer.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin", "Origin": "https://testserver"},
     {"Sec-Fetch-Site": "none"}],
)  # fmt: skip
def test_the_apis_clients_and_the_page_itself_are_unaffected(
    admin: TestClient, headers: dict[str, str]
) -> None:
    answer = admin.put(CONNECTOR, content=BODY, headers={"Content-Type": "text/plain", **headers})

    assert answer.status_code == 200, answer.text
    assert answer.json()["description"] == "planted"


def test_reading_from_another_site_is_not_refused_here(admin: TestClient) -> None:
    """Reads change nothing (and the browser keeps their answers from the other site)."""
    assert admin.get(CONNECTOR, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200

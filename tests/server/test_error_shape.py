"""One error shape everywhere: {"type", "message"} with the Cloud Connector's types and statuses."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.api.http.middleware import SECURITY_HEADERS
from openscc.api.routes.configuration import connector
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, UserFactory, make_client

CONNECTOR = "/api/v1/configuration/connector"
SECRET_IN_ERROR = "s3cret-in-an-exception-message"


def _is_error(response, status: int, kind: str) -> bool:
    body = response.json()
    return (
        response.status_code == status
        and response.headers["content-type"] == "application/json"
        and set(body) == {"type", "message"}
        and body["type"] == kind
        and isinstance(body["message"], str)
        and body["message"] != ""
    )


def test_unknown_route_is_404_not_found(admin: TestClient) -> None:
    """A path no route matches answers 404 NOT_FOUND in the error shape."""
    response = admin.get("/api/v1/configuration/nothing-here")

    assert _is_error(response, 404, "NOT_FOUND")


def test_unknown_route_is_404_even_without_credentials(admin_app: Starlette) -> None:
    """Unknown paths answer 404 in the error shape whether or not the caller authenticated."""
    with make_client(admin_app) as client:
        response = client.get("/index.php")

    assert _is_error(response, 404, "NOT_FOUND")


def test_wrong_method_is_405_with_allow(admin: TestClient) -> None:
    """A known path with a method it does not support is 405 with an Allow header."""
    response = admin.delete("/api/v1/connector/version")

    assert _is_error(response, 405, "INVALID_REQUEST")
    assert "GET" in response.headers["allow"]


def test_wrong_content_type_is_415(admin: TestClient) -> None:
    """A JSON endpoint given another content type answers 415."""
    response = admin.put(
        CONNECTOR,
        content=b"description=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert _is_error(response, 415, "INVALID_REQUEST")


@pytest.mark.parametrize("raw", [b"{", b"{'description': 'x'}", b"\xff\xfe", b"", b"   "])
def test_invalid_json_is_400_never_422(admin: TestClient, raw: bytes) -> None:
    """Malformed or empty JSON is 400 INVALID_REQUEST, not a framework's own 422."""
    response = admin.put(CONNECTOR, content=raw, headers={"Content-Type": "application/json"})

    assert _is_error(response, 400, "INVALID_REQUEST")


def test_bad_credentials_are_401_with_basic_challenge(admin: TestClient) -> None:
    """Wrong credentials are 401 UNAUTHORIZED with WWW-Authenticate: Basic."""
    response = admin.get(CONNECTOR, auth=(ADMINISTRATOR, "wrong"))

    assert _is_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_forbidden_is_403_forbidden_request(admin: TestClient, make_user: UserFactory) -> None:
    """A role without the permission gets 403 FORBIDDEN_REQUEST naming the permission."""
    name, password = make_user("sccdisplay")

    response = admin.put(CONNECTOR, auth=(name, password), json={"description": "x"})

    assert _is_error(response, 403, "FORBIDDEN_REQUEST")
    assert response.json()["message"] == (
        "method requires one of the roles sccadmin, sccassocadmin. User has role(s) sccdisplay"
    )


def test_conflict_is_409_illegal_state(admin: TestClient) -> None:
    """Setting the HA role of a master again is 409 ILLEGAL_STATE."""
    response = admin.post(f"{CONNECTOR}/haRole", json="shadow")

    assert _is_error(response, 409, "ILLEGAL_STATE")


def test_unexpected_error_is_500_runtime_failure_without_details(
    admin_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception answers 500 RUNTIME_FAILURE with no traceback or secret."""

    def broken(*args: object) -> dict[str, object]:
        raise RuntimeError(SECRET_IN_ERROR)

    monkeypatch.setattr(connector, "connector_body", broken)
    with make_client(
        admin_app, auth=(ADMINISTRATOR, ADMIN_PASSWORD), raise_server_exceptions=False
    ) as client:
        response = client.get(CONNECTOR)

    assert _is_error(response, 500, "RUNTIME_FAILURE")
    assert SECRET_IN_ERROR not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


def test_unexpected_error_response_keeps_the_security_headers(
    admin_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a 500 carries the security headers."""

    def broken(*args: object) -> dict[str, object]:
        raise RuntimeError(SECRET_IN_ERROR)

    monkeypatch.setattr(connector, "connector_body", broken)
    with make_client(
        admin_app, auth=(ADMINISTRATOR, ADMIN_PASSWORD), raise_server_exceptions=False
    ) as client:
        response = client.get(CONNECTOR)

    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/api/v1/connector/version", {}),
        ("GET", "/nowhere", {}),
        ("PUT", CONNECTOR, {"content": b"{"}),
        ("GET", CONNECTOR, {"auth": (ADMINISTRATOR, "wrong")}),
    ],
    ids=["ok", "404", "400", "401"],
)
def test_every_response_carries_the_security_headers(
    admin: TestClient, method: str, path: str, kwargs: dict[str, object]
) -> None:
    """HSTS, nosniff, frame denial, CSP and referrer policy are on every response."""
    response = admin.request(method, path, **kwargs)  # type: ignore[arg-type]

    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()


def test_login_page_carries_the_security_headers(admin_app: Starlette) -> None:
    """The HTML login page cannot be framed or sniffed either."""
    client = make_client(admin_app)
    client.cookies.set("JSESSIONID", "unknown")

    response = client.get(CONNECTOR)

    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (CONNECTOR, b'{"description":"\\ud800"}'),
        (f"{CONNECTOR}/authentication/basic", b'{"oldPassword":"x","newPassword":"\\udfff"}'),
    ],
)
def test_a_lone_surrogate_in_json_is_400_not_500(admin: TestClient, path: str, body: bytes) -> None:
    """JSON can escape a lone surrogate, which no UTF-8 store or hash can hold: 400."""
    response = admin.put(path, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_a_json_body_over_the_cap_is_413_even_when_chunked(admin: TestClient) -> None:
    """A JSON body over 1 MiB is refused with 413 while it streams in, Content-Length or not."""

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"description":"'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = admin.put(CONNECTOR, content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert response.json()["type"] == "INVALID_REQUEST"

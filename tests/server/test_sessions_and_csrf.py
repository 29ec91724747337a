"""Basic auth, sessions, form login and CSRF, as the Cloud Connector does them."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.api.http.bodies import MAX_BODY_BYTES
from openscc.app import create_app
from openscc.auth.sessions import CSRF_HEADER, SESSION_COOKIE
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, UserFactory, make_client

CONNECTOR = "/api/v1/configuration/connector"
VERSION = "/api/v1/connector/version"
ADMIN = (ADMINISTRATOR, ADMIN_PASSWORD)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _session_of(response) -> tuple[str, str]:
    return response.cookies[SESSION_COOKIE], response.headers[CSRF_HEADER]


def _cookie_client(app: Starlette, session_id: str) -> TestClient:
    """A second client that authenticates only with the session cookie. It is not entered as a
    context manager: leaving one would end the app's lifespan, which closes the instance."""
    client = make_client(app)
    client.cookies.set(SESSION_COOKIE, session_id)
    return client


def test_basic_auth_starts_a_session_with_a_csrf_token(admin: TestClient) -> None:
    """A keep-alive basic-auth request gets a JSESSIONID cookie and an X-CSRF-Token header."""
    response = admin.get(VERSION)

    assert response.status_code == 200
    assert response.headers[CSRF_HEADER]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_basic_auth_with_the_session_cookie_keeps_the_session(admin: TestClient) -> None:
    """Basic auth plus the session's cookie reuses that session: same token, no new cookie."""
    first = admin.get(VERSION)

    second = admin.get(VERSION)

    assert "set-cookie" not in second.headers
    assert second.headers[CSRF_HEADER] == first.headers[CSRF_HEADER]


def test_connection_close_gets_no_session_and_no_token(admin_app: Starlette) -> None:
    """With Connection: close, a basic-auth request gets neither a session cookie nor a token."""
    with make_client(admin_app, auth=ADMIN) as client:
        response = client.get(VERSION, headers={"Connection": "close"})

    assert response.status_code == 200
    assert CSRF_HEADER not in response.headers
    assert "set-cookie" not in response.headers


def test_connection_close_invalidates_the_session_it_names(admin_app: Starlette) -> None:
    """The final Connection: close request ends the session; its cookie then gets the login page."""
    with make_client(admin_app, auth=ADMIN) as client:
        session_id, _ = _session_of(client.get(VERSION))
        client.get(VERSION, headers={"Connection": "close"})

        response = _cookie_client(admin_app, session_id).get(CONNECTOR)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_session_cookie_alone_authenticates_reads(admin_app: Starlette) -> None:
    """A session started by basic auth serves later requests that carry only the cookie."""
    with make_client(admin_app, auth=ADMIN) as client:
        session_id, token = _session_of(client.get(VERSION))
        cookie_only = _cookie_client(admin_app, session_id)
        response = cookie_only.get(CONNECTOR)

    assert response.status_code == 200
    assert response.json()["ha"] == {"role": "master"}
    assert response.headers[CSRF_HEADER] == token


def test_form_login_starts_a_session(admin_app: Starlette) -> None:
    """POST /j_security_check with j_username and j_password sets JSESSIONID and X-CSRF-Token."""
    with make_client(admin_app) as client:
        login = client.post(
            "/j_security_check", data={"j_username": ADMINISTRATOR, "j_password": ADMIN_PASSWORD}
        )
        after = client.get(CONNECTOR)

    assert login.status_code == 204
    assert login.headers[CSRF_HEADER]
    assert SESSION_COOKIE in login.cookies
    assert after.status_code == 200


def test_form_login_with_wrong_password_is_401(admin_app: Starlette) -> None:
    """A wrong form login answers 401 and starts no session."""
    with make_client(admin_app) as client:
        response = client.post(
            "/j_security_check", data={"j_username": ADMINISTRATOR, "j_password": "wrong"}
        )

    assert response.status_code == 401
    assert response.json()["type"] == "UNAUTHORIZED"
    assert "set-cookie" not in response.headers


def test_form_login_requires_both_fields(admin_app: Starlette) -> None:
    """A login form without j_password is 401."""
    with make_client(admin_app) as client:
        response = client.post("/j_security_check", data={"j_username": ADMINISTRATOR})

    assert response.status_code == 401


def test_form_login_refuses_other_content_types(admin_app: Starlette) -> None:
    """The login form must be form-encoded; JSON is 415."""
    with make_client(admin_app) as client:
        response = client.post(
            "/j_security_check", json={"j_username": ADMINISTRATOR, "j_password": ADMIN_PASSWORD}
        )

    assert response.status_code == 415
    assert response.json()["type"] == "INVALID_REQUEST"


def test_form_login_body_is_capped(admin_app: Starlette) -> None:
    """A login form over the body cap is refused with 413 before it is parsed."""
    with make_client(admin_app) as client:
        response = client.post(
            "/j_security_check",
            content=b"j_username=" + b"a" * MAX_BODY_BYTES,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    assert response.status_code == 413


def test_cookie_only_change_without_csrf_token_is_forbidden(admin_app: Starlette) -> None:
    """A state-changing request authenticated only by the cookie needs the token, else 403."""
    with make_client(admin_app, auth=ADMIN) as client:
        session_id, _ = _session_of(client.get(VERSION))
        cookie_only = _cookie_client(admin_app, session_id)
        response = cookie_only.put(CONNECTOR, json={"description": "changed"})
        description = cookie_only.get(CONNECTOR).json()["description"]

    assert response.status_code == 403
    assert response.json()["type"] == "FORBIDDEN_REQUEST"
    assert description == ""


def test_cookie_only_change_with_wrong_csrf_token_is_forbidden(admin_app: Starlette) -> None:
    """A token from another session (or made up) does not do."""
    with make_client(admin_app, auth=ADMIN) as client:
        session_id, token = _session_of(client.get(VERSION))
        cookie_only = _cookie_client(admin_app, session_id)
        response = cookie_only.put(
            CONNECTOR, json={"description": "changed"}, headers={CSRF_HEADER: token[::-1]}
        )

    assert response.status_code == 403


def test_cookie_only_change_with_the_csrf_token_succeeds(admin_app: Starlette) -> None:
    """With the session's X-CSRF-Token, a cookie-authenticated change goes through."""
    with make_client(admin_app, auth=ADMIN) as client:
        session_id, token = _session_of(client.get(VERSION))
        cookie_only = _cookie_client(admin_app, session_id)
        response = cookie_only.put(
            CONNECTOR, json={"description": "changed"}, headers={CSRF_HEADER: token}
        )

    assert response.status_code == 200
    assert response.json()["description"] == "changed"


def test_basic_auth_change_needs_no_csrf_token(admin_app: Starlette) -> None:
    """Basic-auth requests change state without a token, as recorded real traffic relies on."""
    with make_client(admin_app) as client:
        response = client.put(
            CONNECTOR,
            auth=ADMIN,
            json={"description": "by basic auth"},
            headers={"Connection": "close"},
        )

    assert response.status_code == 200
    assert response.json()["description"] == "by basic auth"


def test_unknown_session_gets_the_login_page(admin_app: Starlette) -> None:
    """A cookie naming no session answers 200 with the text/html login page."""
    response = _cookie_client(admin_app, "0123456789ABCDEF0123456789ABCDEF").get(CONNECTOR)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "j_security_check" in response.text


def test_expired_session_gets_the_login_page(admin_settings: Settings) -> None:
    """After the session timeout without requests, the cookie gets the login page."""
    clock = FakeClock()
    app = create_app(admin_settings, clock=clock)
    with make_client(app, auth=ADMIN) as client:
        session_id, _ = _session_of(client.get(VERSION))
        clock.now += admin_settings.session_ttl_seconds + 1

        response = _cookie_client(app, session_id).get(CONNECTOR)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_activity_extends_the_session(admin_settings: Settings) -> None:
    """Each request restarts the session timeout."""
    clock = FakeClock()
    app = create_app(admin_settings, clock=clock)
    with make_client(app, auth=ADMIN) as client:
        session_id, _ = _session_of(client.get(VERSION))
        cookie_only = _cookie_client(app, session_id)
        cookie_only.get(CONNECTOR)  # the cookie came back: a session of full length from now
        clock.now += admin_settings.session_ttl_seconds - 1
        cookie_only.get(CONNECTOR)
        clock.now += admin_settings.session_ttl_seconds - 1

        response = cookie_only.get(CONNECTOR)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_sessions_of_a_removed_user_end(admin_app: Starlette, make_user: UserFactory) -> None:
    """A session whose user was removed gets the login page."""
    name, password = make_user("sccdisplay")
    with make_client(admin_app, auth=(name, password)) as client:
        session_id, _ = _session_of(client.get(CONNECTOR))
        instance = admin_app.state.services.instance
        with instance.store.transaction():
            instance.users.remove(name)

        response = _cookie_client(admin_app, session_id).get(CONNECTOR)

    assert response.headers["content-type"].startswith("text/html")


def test_a_password_change_ends_the_users_other_sessions(admin_app: Starlette) -> None:
    """After the password changes, a session opened before (perhaps a stolen one) is dead."""
    with make_client(admin_app, auth=(ADMINISTRATOR, ADMIN_PASSWORD)) as client:
        client.get(CONNECTOR)
        old_session = client.cookies.get(SESSION_COOKIE)
        client.cookies.clear()  # the change comes from elsewhere, not through the old session
        changed = client.put(
            f"{CONNECTOR}/authentication/basic",
            json={"oldPassword": ADMIN_PASSWORD, "newPassword": "A-new-Pa55word!"},
        )
        client.auth = None
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, old_session or "")
        response = client.get(CONNECTOR)

    assert old_session
    assert changed.status_code == 204
    assert response.headers["content-type"].startswith("text/html")

"""Authentication, sessions and CSRF, then the authorization decision: the checks every API
request passes.

The order follows the Cloud Connector: credentials (401), then ``authorization.decide`` (403).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.authorization import decide, reads_ha_role, role_for
from openscc.api.http.context import Caller, Services
from openscc.api.http.endpoints import Endpoint
from openscc.api.http.responses import login_page
from openscc.auth.credentials import basic_credentials
from openscc.auth.sessions import CSRF_HEADER, SESSION_COOKIE, Session, tokens_match
from openscc.errors import Conflict, Forbidden, NotAuthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(slots=True)
class Authenticated:
    caller: Caller
    # Headers the response must carry (a new session's cookie, the CSRF token).
    headers: list[tuple[str, str]]


def _wants_close(request: Request) -> bool:
    return request.headers.get("connection", "").lower() == "close"


def session_headers(session: Session, *, new: bool) -> list[tuple[str, str]]:
    headers = [(CSRF_HEADER, session.csrf_token)]
    if new:
        headers.append(
            (
                "Set-Cookie",
                f"{SESSION_COOKIE}={session.id}; Path=/; Secure; HttpOnly; SameSite=Strict",
            )
        )
    return headers


async def _live_session(services: Services, session_id: str) -> tuple[Session, Caller] | None:
    """The session and its caller, if the session lives and its user is unchanged since it
    started (same role and password); a session of a changed or removed user ends here."""
    session = services.sessions.find(session_id)
    if session is None:
        return None
    known = await services.authenticator.account(session.user)
    if known is None or known[1] != session.stamp:
        services.sessions.end(session.id)
        return None
    return session, Caller(user=known[0], session=session)


def refuse_cross_site(request: Request) -> None:
    """A change a browser sends from another site is refused, whatever its credentials: a
    browser that once answered the Basic prompt sends those credentials to every request, and
    a page elsewhere can post a form (multipart, or JSON as text/plain, which the API reads as
    the product does) without asking. Browsers say where a request comes from (Sec-Fetch-Site,
    Origin); the clients of the API (scripts, SAP's samples, Terraform) send neither."""
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("sec-fetch-site", "").lower()
    if site in ("cross-site", "same-site"):
        raise Forbidden("a change sent by a page of another site is refused")
    origin = request.headers.get("origin")
    if origin == "null":  # a sandboxed page or a redirect from elsewhere
        raise Forbidden("a change sent by a page of another origin is refused")
    if origin is not None:
        host = request.headers.get("host", "")
        if origin.lower() not in (f"https://{host}".lower(), f"http://{host}".lower()):
            raise Forbidden("a change sent by a page of another origin is refused")


async def authenticate(request: Request, services: Services) -> Authenticated | Response:
    """Who is calling: basic auth first, then the session cookie; a dead session gets the login page."""
    refuse_cross_site(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    credentials = basic_credentials(request.headers.get("authorization"))
    if credentials is not None:
        name, password = credentials
        verified = await services.authenticator.verify(name, password)
        if verified is None:
            raise NotAuthenticated("invalid credentials")
        if verified.checked:
            services.instance.audit.record(
                "login.success", actor=verified.user.name, method="basic"
            )
        live = await _live_session(services, cookie) if cookie else None
        session = live[0] if live is not None and live[0].user == verified.user.name else None
        if _wants_close(request):
            # Stateless mode: no token is issued and a session named by the request ends.
            if session is not None:
                services.sessions.end(session.id)
            return Authenticated(caller=Caller(user=verified.user, session=None), headers=[])
        if session is None:
            # Provisional until its cookie comes back: a client that never sends it costs
            # little and cannot push out the user's other sessions.
            session = services.sessions.start(verified.user.name, verified.stamp, provisional=True)
            return Authenticated(
                caller=Caller(user=verified.user, session=session),
                headers=session_headers(session, new=True),
            )
        return Authenticated(
            caller=Caller(user=verified.user, session=session),
            headers=session_headers(session, new=False),
        )

    if cookie:
        live = await _live_session(services, cookie)
        if live is None:
            return login_page()
        session, caller = live
        if request.method not in SAFE_METHODS:
            token = request.headers.get(CSRF_HEADER)
            if token is None or not tokens_match(session.csrf_token, token):
                raise Forbidden("CSRF token missing or invalid")
        if _wants_close(request):
            services.sessions.end(session.id)
            return Authenticated(caller=Caller(user=caller.user, session=None), headers=[])
        return Authenticated(caller=caller, headers=session_headers(session, new=False))

    raise NotAuthenticated("authentication required")


async def authorize(endpoint: Endpoint, caller: Caller, services: Services) -> None:
    """Raise Forbidden unless the caller may call this endpoint in the instance's current state."""
    refusal = decide(
        endpoint,
        role=role_for(endpoint, caller.user.roles, caller.user.role),
        initial_password=caller.user.initial_password,
        ha_role=await services.lookups.ha_role() if reads_ha_role(endpoint) else None,
    )
    if refusal is not None:
        raise Forbidden(refusal)
    if endpoint.changes_config and services.ha.master.switching:
        raise Conflict("the master is switching roles with its shadow; try again shortly")
    if endpoint.method not in SAFE_METHODS and services.restore_pending:
        raise Conflict("a restore is being applied and the server is restarting; try again shortly")

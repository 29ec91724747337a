"""Authentication, sessions, CSRF and authorization: the checks every API request passes.

The order follows the Cloud Connector: credentials (401), then the initial-password rule, then the
HA-role rule, then the caller's role, then the shadow-instance rule (all 403).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openscc.api.context import Caller, Services
from openscc.api.endpoints import Endpoint
from openscc.api.responses import login_page
from openscc.auth.roles import ROLES, has_permission
from openscc.auth.sessions import CSRF_HEADER, SESSION_COOKIE, Session, tokens_match
from openscc.auth.users import User
from openscc.connector_state import ha_role
from openscc.errors import Conflict, Forbidden, NotAuthenticated

logger = logging.getLogger("openscc.auth")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INITIAL_PASSWORD_MESSAGE = "operation unavailable unless initial password is changed"  # noqa: S105 - a message
HA_ROLE_MESSAGE = "operation unavailable unless HA role is defined (master or shadow)"
SHADOW_MESSAGE = "operation not allowed on a shadow instance"


class UserCache:
    """Users as last read from the store, for the checks every request makes.

    Entries hold only while the store's change stamp stays the same: any write by this process
    or any other (``openscc users`` run beside the server) empties the cache, so a removed user,
    a changed role or a new password hash is seen by the very next request, as without it.
    """

    __slots__ = ("_entries", "_stamp", "_store", "_users")
    _MAX_ENTRIES = 1024

    def __init__(self, services: Services) -> None:
        self._store = services.instance.store
        self._users = services.instance.users
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[tuple[bool, str], object] = {}

    def _lookup(self, with_hash: bool, name: str) -> object:
        stamp = self._store.change_stamp()
        if stamp is None:  # a transaction is open: read through
            self._stamp = None
            self._entries.clear()
            return self._users.find_with_hash(name) if with_hash else self._users.find(name)
        if stamp != self._stamp or len(self._entries) >= self._MAX_ENTRIES:
            self._entries.clear()
            self._stamp = stamp
        key = (with_hash, name)
        if key not in self._entries:
            self._entries[key] = (
                self._users.find_with_hash(name) if with_hash else self._users.find(name)
            )
        return self._entries[key]

    def find(self, name: str) -> User | None:
        found = self._lookup(False, name)
        assert found is None or isinstance(found, User)
        return found

    def find_with_hash(self, name: str) -> tuple[User, str] | None:
        return self._lookup(True, name)  # type: ignore[return-value]


def _user_cache(services: Services) -> UserCache:
    if services.user_cache is None:
        services.user_cache = UserCache(services)
    return services.user_cache


class PasswordChecks:
    """Password checks in progress, shared by concurrent requests with the same credentials.

    When the credential cache's entry expires under load, every request in flight would run its
    own Argon2 check at the same moment (each tens of milliseconds and 64 MiB), stalling the server
    for seconds. A request that finds the same user and password being checked waits for that
    check and then goes on exactly as if it had run it (failures still count one each).
    """

    __slots__ = ("_key", "_running", "_users")

    def __init__(self, services: Services) -> None:
        self._users = services.instance.users
        self._key = secrets.token_bytes(32)
        self._running: dict[bytes, asyncio.Future[tuple[User, str] | None]] = {}

    async def check(self, user: str, password: str) -> tuple[User, str] | None:
        message = f"{user}\0{password}".encode("utf-8", "surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        running = self._running.get(digest)
        if running is not None:
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if not running.cancelled() or (current is not None and current.cancelling()):
                    raise
                # The request running the check went away first: check here instead.
        future: asyncio.Future[tuple[User, str] | None] = asyncio.get_running_loop().create_future()
        self._running[digest] = future
        try:
            result = await run_in_threadpool(self._users.check_password_with_hash, user, password)
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so an unshared failure is not logged twice
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            if self._running.get(digest) is future:
                del self._running[digest]
        future.set_result(result)
        return result


def _verifications(services: Services) -> PasswordChecks:
    if services.password_checks is None:
        services.password_checks = PasswordChecks(services)
    return services.password_checks


@dataclass(slots=True)
class Authenticated:
    caller: Caller
    # Headers the response must carry (a new session's cookie, the CSRF token).
    headers: list[tuple[str, str]]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("malformed basic authentication header") from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise NotAuthenticated("malformed basic authentication header")
    return user, password


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


async def check_credentials(services: Services, user: str, password: str) -> User | None:
    """Verify a user name and password, honouring the lockout; audits failures and lockouts."""
    instance = services.instance
    if services.lockout.is_locked(user):
        instance.audit.record("login.refused_locked", actor=user)
        return None
    known = _user_cache(services).find_with_hash(user)
    if known is not None and services.credentials.lookup(user, password, known[1]):
        return known[0]
    checked = await _verifications(services).check(user, password)
    if checked is None:
        if services.lockout.record_failure(user):
            logger.warning("user %s locked out after repeated failed logins", user)
            instance.audit.record("login.lockout", actor=user)
        else:
            instance.audit.record("login.failure", actor=user)
        return None
    found, stored_hash = checked
    services.lockout.record_success(user)
    services.credentials.remember(user, password, stored_hash)
    return found


async def authenticate(request: Request, services: Services) -> Authenticated | Response:
    """Who is calling: basic auth first, then the session cookie; a dead session gets the login page."""
    cookie = request.cookies.get(SESSION_COOKIE)
    credentials = _basic_credentials(request)
    if credentials is not None:
        name, password = credentials
        user = await check_credentials(services, name, password)
        if user is None:
            raise NotAuthenticated("invalid credentials")
        session = services.sessions.find(cookie) if cookie else None
        if session is not None and session.user != user.name:
            session = None
        if _wants_close(request):
            # Stateless mode: no token is issued and a session named by the request ends.
            if session is not None:
                services.sessions.end(session.id)
            return Authenticated(caller=Caller(user=user, session=None), headers=[])
        if session is None:
            session = services.sessions.start(user.name)
            services.instance.audit.record("login.success", actor=user.name, method="basic")
            return Authenticated(
                caller=Caller(user=user, session=session),
                headers=session_headers(session, new=True),
            )
        return Authenticated(
            caller=Caller(user=user, session=session), headers=session_headers(session, new=False)
        )

    if cookie:
        session = services.sessions.find(cookie)
        if session is None:
            return login_page()
        user = _user_cache(services).find(session.user)
        if user is None:
            services.sessions.end(session.id)
            return login_page()
        if request.method not in SAFE_METHODS:
            token = request.headers.get(CSRF_HEADER)
            if token is None or not tokens_match(session.csrf_token, token):
                raise Forbidden("CSRF token missing or invalid")
        if _wants_close(request):
            services.sessions.end(session.id)
            return Authenticated(caller=Caller(user=user, session=None), headers=[])
        return Authenticated(
            caller=Caller(user=user, session=session), headers=session_headers(session, new=False)
        )

    raise NotAuthenticated("authentication required")


def authorize(endpoint: Endpoint, caller: Caller, services: Services) -> None:
    """Raise Forbidden unless the caller may call this endpoint in the instance's current state."""
    user = caller.user
    if user.initial_password and not endpoint.before_initial_password:
        raise Forbidden(INITIAL_PASSWORD_MESSAGE)
    store = services.instance.store
    role_of_instance = (
        ha_role(store) if (endpoint.needs_ha_role or endpoint.changes_config) else None
    )
    if endpoint.needs_ha_role and role_of_instance is None:
        raise Forbidden(HA_ROLE_MESSAGE)
    allowed = has_permission(user.role, endpoint.permission) or (
        endpoint.or_permission is not None and has_permission(user.role, endpoint.or_permission)
    )
    if not allowed:
        raise Forbidden(
            f"method requires permission {endpoint.permission.value}. "
            f"User has role(s) {user.role if user.role in ROLES else 'none'}"
        )
    if endpoint.changes_config and role_of_instance == "shadow":
        raise Forbidden(SHADOW_MESSAGE)
    if endpoint.method not in SAFE_METHODS and services.restore_pending:
        raise Conflict("a restore is being applied and the server is restarting; try again shortly")

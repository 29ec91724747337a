"""The HTTP application of a runtime: routes, error handlers, middleware, and the runtime's
lifespan. What the handlers serve with is given to them as ``Services`` (openscc.api.http.context);
the runtime (openscc.runtime) owns everything that lives longer than a request."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from openscc import kinds
from openscc.api.http.catalog import all_endpoints
from openscc.api.http.context import Services
from openscc.api.http.middleware import SECURITY_HEADERS, RequestMetrics, SecurityHeaders
from openscc.api.http.openapi import build_openapi
from openscc.api.http.responses import error_response, json_response
from openscc.api.http.router import build_routes
from openscc.api.routes.users.login import j_security_check
from openscc.auth.authenticator import Authenticator
from openscc.auth.credential_cache import CredentialCache
from openscc.auth.ldap.logons import DirectoryLogons
from openscc.auth.lockout import Lockout
from openscc.auth.lookups import Lookups
from openscc.auth.password_checks import HashSlots
from openscc.auth.sessions import SessionManager
from openscc.config import certs
from openscc.errors import (
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    OpensccError,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from openscc.logsafe import shown
from openscc.runtime.runtime import Runtime
from openscc.web.no_prompt import NoBasicPromptForPage
from openscc.web.routes import web_routes

logger = logging.getLogger("openscc.server")


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: OpensccError
    if exc.status_code == 404:
        error = NotFound(f"no resource at {request.url.path}")
    elif exc.status_code == 405:
        error = MethodNotAllowed(f"method {request.method} is not allowed here")
    elif exc.status_code == 413:
        error = PayloadTooLarge("the request body is too large")
    elif exc.status_code == 415:
        error = UnsupportedMediaType("unsupported content type")
    else:
        error = InvalidRequest(str(exc.detail))
    # Keeps what Starlette says beside the status, such as the Allow header of a 405.
    return error_response(error, headers=dict(exc.headers or {}))


def _known_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpensccError)
    return error_response(exc)


def _client_gone(request: Request, exc: Exception) -> Response:
    # An ordinary event: the client closed the connection before its request was read. Whatever
    # the handler had begun (a multipart upload's temporary files) is closed as it unwinds.
    logger.info("the client went away during %s %s", request.method, shown(request.url.path))
    return Response(status_code=400)


def _unexpected_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server log; the client learns only that it failed.
    logger.error("unexpected error on %s %s", request.method, shown(request.url.path), exc_info=exc)
    # This handler runs outside the middleware stack, so the security headers are added here.
    headers = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
    return error_response(
        OpensccError("an unexpected error occurred; see the server log"), headers=headers
    )


def _services(runtime: Runtime, clock: Callable[[], float]) -> Services:
    """The runtime's parts the handlers use, and what serving keeps: the logon checks and their
    caches, the sessions."""
    settings, instance = runtime.settings, runtime.instance
    lookups = Lookups(instance.store, instance.users, runtime.stamp, runtime.store_thread)
    lockout = Lockout(
        max_failures=settings.login_failures_before_lockout,
        lockout_seconds=settings.lockout_seconds,
        clock=clock,
    )
    credentials = CredentialCache(ttl_seconds=settings.credential_cache_seconds, clock=clock)
    return Services(
        instance=instance,
        store_thread=runtime.store_thread,
        workers=runtime.workers,
        stamp=runtime.stamp,
        lookups=lookups,
        sessions=SessionManager(
            ttl_seconds=settings.session_ttl_seconds,
            max_per_user=settings.max_sessions_per_user,
            provisional_ttl_seconds=settings.provisional_session_seconds,
            max_provisional_per_user=settings.max_provisional_sessions_per_user,
            clock=clock,
        ),
        authenticator=Authenticator(
            passwords=instance.passwords,
            lookups=lookups,
            lockout=lockout,
            credentials=credentials,
            slots=HashSlots(
                runtime.workers,
                slots=settings.password_check_slots,
                wait_seconds=settings.password_check_wait_seconds,
            ),
            audit=instance.audit,
            directory=DirectoryLogons(
                lockout=lockout,
                credentials=credentials,
                slots=HashSlots(
                    runtime.workers,
                    slots=settings.directory_check_slots,
                    wait_seconds=settings.directory_check_wait_seconds,
                ),
                audit=instance.audit,
                timeout_seconds=settings.directory_timeout_seconds,
                recheck_seconds=settings.directory_recheck_seconds,
                clock=clock,
            ),
        ),
        alerts=runtime.alerts,
        system=runtime.system,
        metrics=runtime.metrics,
        ha=runtime.ha,
        schedules=runtime.schedules,
        started_ms=runtime.started_ms,
        kdf_slots=runtime.kdf_slots,
        request_restart=runtime.request_restart,
        own_names=_own_names(runtime),
    )


def _own_names(runtime: Runtime) -> frozenset[str]:
    """The names this server answers to: its UI certificate's, its configured host, this
    machine's names and loopback (a Host header naming one of them is this server)."""
    record = runtime.instance.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    names = {"localhost", "127.0.0.1", "::1", runtime.settings.host.lower()}
    names.add(socket.gethostname().lower())
    if record is not None:
        names |= certs.host_names(certs.load_certificate(str(record.body["certificatePem"])))
    return frozenset(n for n in names if n)


def http_app(runtime: Runtime, *, clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The ASGI application serving ``runtime``; its lifespan is the runtime's
    (``Runtime.running``). ``clock`` (seconds, monotonic) drives session expiry, lockouts and
    the credential cache."""
    services = _services(runtime, clock)
    table = all_endpoints()
    document = build_openapi(table)

    async def openapi(request: Request) -> Response:
        return json_response(document)

    routes = [
        *build_routes(table),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Route("/j_security_check", j_security_check, methods=["POST"]),
        *web_routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            ClientDisconnect: _client_gone,
            HTTPException: _http_error,
            OpensccError: _known_error,
            Exception: _unexpected_error,
        },
        lifespan=lambda app: runtime.running(),
    )
    # No redirects built from request headers: /path/ is a 404 like any other unknown path.
    app.router.redirect_slashes = False
    app.state.runtime = runtime
    app.state.services = services
    app.state.endpoints = table
    app.add_middleware(NoBasicPromptForPage)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics, metrics=runtime.metrics)
    return app

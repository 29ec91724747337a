"""Turning the endpoint table into Starlette routes, each behind the guard.

One request, in order: authentication and authorization on the event loop (from cached lookups;
a miss is read in the store thread), a cached answer if the endpoint keeps them, then the handler
(a store handler in the store thread, with its body read first; a loop handler on the loop), then
one audit line if it changed something.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openscc.api.http.context import ANONYMOUS, Caller, Services, services
from openscc.api.http.endpoints import Endpoint, EndpointTable, LoopHandler, StoreHandler
from openscc.api.http.guard import SAFE_METHODS, authenticate, authorize
from openscc.api.http.read_request import ReadRequest
from openscc.api.http.responses import error_response
from openscc.api.routes.monitoring.audit_trail import record_change
from openscc.auth.roles import ADMIN
from openscc.config.subaccounts import refuse_managed
from openscc.errors import MethodNotAllowed, OpensccError, StoreBusy
from openscc.store.db import is_busy


def _dispatcher(methods: dict[str, Endpoint]) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        endpoint = methods.get(method)
        if endpoint is None:
            raise MethodNotAllowed(f"method {request.method} is not allowed here")
        svc = services(request)
        # Whichever way the request is answered (a refused logon, a peer's call, a handler's
        # answer), the audit lines it recorded are written first.
        try:
            return await _guarded(endpoint, request, svc)
        finally:
            await audit_written(svc)

    return dispatch


async def _guarded(endpoint: Endpoint, request: Request, svc: Services) -> Response:
    if endpoint.public:
        return await _answer_public(endpoint, request, svc)
    if endpoint.peer_auth:
        return await _answer_peer(endpoint, request, svc)
    extra_headers: list[tuple[str, str]] = []
    actor: str | None = None
    authorized = False
    try:
        outcome = await authenticate(request, svc)
        if isinstance(outcome, Response):
            return outcome
        extra_headers = outcome.headers
        actor = outcome.caller.user.name
        await authorize(endpoint, outcome.caller, svc)
        authorized = True
        response = await _answer(endpoint, request, outcome.caller, svc)
        await _audit_answer(svc, request, endpoint, actor, response.status_code)
    except OpensccError as error:
        if error.status == 403:
            await _audit_refusal(svc, request, endpoint, actor, error.message)
        elif authorized and actor is not None:  # allowed, but it failed
            await _audit_answer(svc, request, endpoint, actor, error.status)
        response = error_response(error)
    except sqlite3.OperationalError as error:
        response = _store_failure(error)
    for name, value in extra_headers:
        response.headers.append(name, value)
    return response


async def audit_written(svc: Services) -> None:
    """Before an answer: the audit lines recorded on the loop (queued to the store thread, in
    order) are written, so a client that got its answer finds its request in the log."""
    if svc.instance.audit.pending:
        await svc.store_thread.run(_nothing)


def _nothing() -> None:
    """Queued behind the audit lines: done once they are written."""


async def _answer_public(endpoint: Endpoint, request: Request, svc: Services) -> Response:
    """An endpoint anyone may call: no credentials are read and nothing is audited."""
    try:
        return await _answer(endpoint, request, ANONYMOUS, svc)
    except OpensccError as error:
        return error_response(error)


async def _answer_peer(endpoint: Endpoint, request: Request, svc: Services) -> Response:
    """A request of the high-availability peer: its bearer token must be the pair's; the
    handler gets the pair it proved."""
    try:
        current = await svc.ha.authenticate_peer(request.headers.get("authorization", ""))
        caller = Caller(user=ANONYMOUS.user, session=None, peer=current)
        return await _answer(endpoint, request, caller, svc)
    except OpensccError as error:
        return error_response(error)


async def _audit_level(svc: Services, request: Request) -> str | None:
    """The audit level governing this request: its subaccount's if the path names one, else
    None (the cross-subaccount level)."""
    params = request.path_params
    if "region" in params and "subaccount" in params:
        return await svc.lookups.subaccount_audit_level(params["region"], params["subaccount"])
    return None


async def _audit_answer(
    svc: Services, request: Request, endpoint: Endpoint, actor: str, status: int
) -> None:
    """A successful change is recorded at level SECURITY; every other allowed request only at
    level ALL."""
    audit = svc.instance.audit
    level = await _audit_level(svc, request)
    if endpoint.method not in SAFE_METHODS and 200 <= status < 300:
        record_change(audit, request, endpoint, actor, level=level)
    elif audit.records(level=level, access=True):
        audit.record_event(
            "request.allowed",
            actor=actor,
            level=level,
            access=True,
            details={
                "operation": f"{request.method} {endpoint.path}",
                "status": status,
                **_key(request),
            },
        )


async def _audit_refusal(
    svc: Services, request: Request, endpoint: Endpoint, actor: str | None, reason: str
) -> None:
    """A refused request (403) is a security event."""
    svc.instance.audit.record_event(
        "request.refused",
        actor=actor,
        level=await _audit_level(svc, request),
        details={
            "operation": f"{request.method} {endpoint.path}",
            "reason": reason,
            **_key(request),
        },
    )


def _key(request: Request) -> dict[str, object]:
    return {"key": dict(request.path_params)} if request.path_params else {}


async def _answer(endpoint: Endpoint, request: Request, caller: Caller, svc: Services) -> Response:
    if endpoint.on_loop:
        handler: LoopHandler = endpoint.handler  # type: ignore[assignment]
        return await handler(request, caller)
    stamp = svc.stamp.current() if endpoint.cached else None  # taken before the answer is built
    if stamp is not None:
        hit = svc.read_cache.hit(request, stamp)
        if hit is not None:
            return hit
    store_handler: StoreHandler = endpoint.handler  # type: ignore[assignment]
    read = await ReadRequest.read(request)
    response = await svc.store_thread.run(_handle, endpoint, store_handler, read, caller)
    if stamp is not None:
        svc.read_cache.keep(request, stamp, response)
    return response


def _handle(
    endpoint: Endpoint, handler: StoreHandler, request: ReadRequest, caller: Caller
) -> Response:
    """In the store thread: the managed-subaccount rule (it needs the subaccount), then the
    handler."""
    if endpoint.method not in SAFE_METHODS and caller.user.role != ADMIN:
        params = request.path_params
        if "region" in params and "subaccount" in params:
            refuse_managed(services(request).instance.store, params["region"], params["subaccount"])
    return handler(request, caller)


def _store_failure(error: sqlite3.OperationalError) -> Response:
    """A clear answer when the database cannot be written; the transaction was rolled back."""
    reason = str(error)
    if is_busy(error):
        busy = StoreBusy("the configuration store is locked by another process; try again shortly")
        return error_response(busy)
    return error_response(
        OpensccError(f"the configuration store cannot be written ({reason}); nothing was changed")
    )


def build_routes(table: EndpointTable) -> list[Route]:
    routes = []
    for path, methods in table.by_path().items():
        allowed = sorted(set(methods) | ({"HEAD"} if "GET" in methods else set()))
        routes.append(Route(path, _dispatcher(methods), methods=allowed))
    return routes

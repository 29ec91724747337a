"""Middleware on every request (pure ASGI, so it costs next to nothing): security headers, and
the request metrics."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openscc.monitoring.metrics import UNMATCHED, Metrics

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A response that set one of these (the web page's own policy) keeps its own.
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestMetrics:
    """Counts each answered request by method, route template (not the path: bounded labels)
    and status, with the time it took (pure ASGI)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # unless the app answers: an error that escaped it

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            # Every label from a bounded set: a method outside the API's is "other", and an
            # unmatched request is counted without its method (a client choosing label values
            # could grow /metrics without end).
            route = scope.get("route")
            method = scope["method"] if scope["method"] in _API_METHODS else OTHER_METHOD
            self.metrics.observe_request(
                method if route is not None else NO_METHOD,
                getattr(route, "path", UNMATCHED),
                status,
                time.perf_counter() - start,
            )


_API_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
OTHER_METHOD = "other"
NO_METHOD = ""

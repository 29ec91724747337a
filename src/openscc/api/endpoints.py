"""The table of endpoints: each route's method, path, roles and rules, in one place.

The router, the OpenAPI document and the published authorization table are all built from this
table, so they cannot disagree.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.read_request import ReadRequest

if TYPE_CHECKING:
    from openscc.api.context import Caller

# A handler is either a plain function, run in the store thread with its body already read
# (``ReadRequest``): every handler that reads or changes the configuration; or a coroutine run on
# the event loop: those that stream (backups) or wait for other workers (password hashing), which
# reach the store through ``Services.store_thread`` themselves.
StoreHandler = Callable[[ReadRequest, "Caller"], Response]
LoopHandler = Callable[[Request, "Caller"], Awaitable[Response]]
Handler = StoreHandler | LoopHandler


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    # The technical names of the roles that may call it (see openscc.auth.roles).
    roles: frozenset[str]
    changes_config: bool = False  # refused on a shadow instance
    shadow_only: bool = False  # refused on any instance but a shadow (its HA settings)
    # Answered without authentication, to anyone (the monitoring API's health and master-role
    # checks): no credentials are read, nothing is audited; ``roles`` is informational.
    public: bool = False
    # Called by the other instance of a high-availability pair, authenticated by the pair's own
    # credential (a bearer token), never by a user's: every user's request is 401.
    peer_auth: bool = False
    needs_ha_role: bool = True
    before_initial_password: bool = False
    status: int = 200
    request_schema: dict[str, Any] | None = None
    request_content_type: str = "application/json"
    response_schema: dict[str, Any] | None = None
    response_content_type: str = "application/json"
    query: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    tag: str = "connector"
    # Further documented answers: status -> an error's description (the error shape), or a whole
    # OpenAPI response object (another success form, such as a CSR instead of a 201).
    more_responses: dict[str, str | dict[str, Any]] = field(default_factory=dict)
    # A 200 answer is reused while the configuration is unchanged (heavy lists; see read_cache).
    cached: bool = False

    @property
    def on_loop(self) -> bool:
        """True for a coroutine handler (runs on the event loop), False for a store handler."""
        return inspect.iscoroutinefunction(self.handler)


class EndpointTable:
    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def add(self, endpoint: Endpoint) -> None:
        for known in self.endpoints:
            if known.method == endpoint.method and known.path == endpoint.path:
                raise ValueError(f"{endpoint.method} {endpoint.path} is registered twice")
        self.endpoints.append(endpoint)

    def route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator form of ``add``."""

        def register(handler: Handler) -> Handler:
            self.add(Endpoint(method=method, path=path, handler=handler, **options))
            return handler

        return register

    def extend(self, other: EndpointTable) -> None:
        for endpoint in other.endpoints:
            self.add(endpoint)

    def by_path(self) -> dict[str, dict[str, Endpoint]]:
        grouped: dict[str, dict[str, Endpoint]] = {}
        for endpoint in self.endpoints:
            grouped.setdefault(endpoint.path, {})[endpoint.method] = endpoint
        return grouped

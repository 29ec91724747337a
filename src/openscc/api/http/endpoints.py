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

from openscc.api.http.read_request import ReadRequest
from openscc.config.values import Fields

if TYPE_CHECKING:
    from openscc.api.http.context import Caller

# Two kinds of handler, each registered explicitly (``EndpointTable.route`` or ``loop_route``; the
# table refuses the other kind, so making a handler ``async`` cannot silently move it):
# - a store handler (plain function), run in the store thread with its body already read
#   (``ReadRequest``): every handler that reads or changes the configuration;
# - a loop handler (coroutine), run on the event loop: those that stream (backups) or wait for
#   other workers (password hashing, LDAP binds), which reach the store through
#   ``Services.store_thread`` themselves.
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
    # A JSON object body is declared by the fields its handler reads (openscc.config.values):
    # its published schema is theirs. ``request_schema`` is for any other body (an array, a
    # string, a multipart form).
    request_fields: Fields | None = None
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
    on_loop: bool = False  # a loop handler (see above); set by the table's registration

    def __post_init__(self) -> None:
        if self.request_fields is not None and self.request_schema is not None:
            raise TypeError(
                f"{self.method} {self.path}: request_fields or request_schema, not both"
            )
        if inspect.iscoroutinefunction(self.handler) is not self.on_loop:
            how = "loop_route (a coroutine)" if not self.on_loop else "route (a plain function)"
            raise TypeError(
                f"{self.method} {self.path}: {self.handler.__qualname__} must be registered "
                f"with {how}"
            )

    @property
    def request_body_schema(self) -> dict[str, Any] | None:
        """The schema the OpenAPI document publishes for the request body."""
        if self.request_fields is not None:
            return self.request_fields.schema()
        return self.request_schema


class EndpointTable:
    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def add(self, endpoint: Endpoint) -> None:
        for known in self.endpoints:
            if known.method == endpoint.method and known.path == endpoint.path:
                raise ValueError(f"{endpoint.method} {endpoint.path} is registered twice")
        self.endpoints.append(endpoint)

    def route(
        self, method: str, path: str, **options: Any
    ) -> Callable[[StoreHandler], StoreHandler]:
        """Register a store handler (a plain function; see the module's description)."""

        def register(handler: StoreHandler) -> StoreHandler:
            self.add(Endpoint(method=method, path=path, handler=handler, **options))
            return handler

        return register

    def loop_route(
        self, method: str, path: str, **options: Any
    ) -> Callable[[LoopHandler], LoopHandler]:
        """Register a loop handler (a coroutine; see the module's description)."""

        def register(handler: LoopHandler) -> LoopHandler:
            self.add(Endpoint(method=method, path=path, handler=handler, on_loop=True, **options))
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

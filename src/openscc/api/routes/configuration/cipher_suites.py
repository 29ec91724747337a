"""The cipher suites of the administration UI's listener: what is available, what is enabled.

A change is stored at once and takes effect when the server next starts (``openscc serve``
builds its TLS context from it at every start, and after a restore's in-place restart), as the
product's does: a running listener keeps the suites it started with.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_body
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_ADMIN_ONLY, audit, store_of
from openscc.config import cipher_suites as model

endpoints = EndpointTable()
AVAILABLE = "/api/v1/configuration/availableCipherSuites"
ENABLED = "/api/v1/configuration/connector/ui/cipherSuites"
# The UI's cipher suites belong to this instance's listener: a shadow sets its own.
_WRITE: dict[str, Any] = {**WRITE_ADMIN_ONLY, "changes_config": False}
_NAMES: dict[str, Any] = {"type": "array", "items": {"type": "string"}}


@endpoints.route(
    "GET",
    AVAILABLE,
    summary="The cipher suites the UI's listener can offer (IANA names)",
    response_schema=_NAMES,
    **READ,
)
def get_available(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.available_names())


@endpoints.route(
    "GET",
    ENABLED,
    summary="The cipher suites enabled for the UI (in effect from the next start)",
    response_schema=_NAMES,
    **READ,
)
def get_enabled(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.enabled_names(store_of(request)))


@endpoints.route(
    "POST",
    ENABLED,
    summary="Enable exactly these cipher suites for the UI (from the next start)",
    status=204,
    request_schema=_NAMES,
    **_WRITE,
)
def set_enabled(request: ReadRequest, caller: Caller) -> Response:
    names = model.parse_choice(json_body(request))
    store = store_of(request)
    with store.transaction():
        model.save_choice(store, names)
    audit(request, "cipherSuites.changed", count=len(names))
    return empty_response()


@endpoints.route(
    "DELETE",
    ENABLED,
    summary="Enable the default cipher suites again (from the next start)",
    status=204,
    **_WRITE,
)
def reset_enabled(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        store.delete(kinds.UI_CIPHER_SUITES, kinds.SINGLETON_KEY)
    audit(request, "cipherSuites.reset")
    return empty_response()

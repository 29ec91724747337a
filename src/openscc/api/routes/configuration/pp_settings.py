"""Principal propagation settings (``onPremises/ppSettings``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_SUBACCOUNT, audit, store_of
from openscc.config import pp_settings as model

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/onPremises/ppSettings"
_PROPERTIES: dict[str, Any] = {
    field: {"type": ["integer", "string"], "minimum": low, "maximum": high}
    for field, (low, high) in model.RANGES.items()
}
_SCHEMA: dict[str, Any] = {"type": "object", "properties": _PROPERTIES}


@endpoints.route(
    "GET", PATH, summary="The principal propagation settings", response_schema=_SCHEMA, **READ
)
def get_settings(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.settings(store_of(request)))


@endpoints.route(
    "PUT",
    PATH,
    summary="Set both principal propagation settings",
    status=204,
    request_schema={**_SCHEMA, "required": list(model.RANGES)},
    **WRITE_SUBACCOUNT,
)
def put_settings(request: ReadRequest, caller: Caller) -> Response:
    values = model.parse_put(json_object(request))
    store = store_of(request)
    with store.transaction():
        model.save(store, values)
    audit(request, "ppSettings.changed", **values)
    return empty_response()


@endpoints.route(
    "PATCH",
    PATH,
    summary="Change one or both principal propagation settings",
    status=204,
    request_schema=_SCHEMA,
    **WRITE_SUBACCOUNT,
)
def patch_settings(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        values = model.parse_patch(model.settings(store), data)
        model.save(store, values)
    audit(request, "ppSettings.changed", **values)
    return empty_response()

"""``/api/v1/configuration/connector/alerting``: thresholds, and which alerts are e-mailed."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_ADMIN_ONLY, audit, store_of
from openscc.config import alerting as model

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/alerting"

_NUMBER = {"type": ["integer", "string"]}
_FLAG = {"type": ["boolean", "string"]}
_THRESHOLDS = {
    "type": "object",
    "properties": dict.fromkeys(
        (
            "cpuLoad",
            "cpuLoadViolationToleranceSec",
            "freeDiskSpaceMb",
            model.AUDIT_LOG_DISK,
            model.TRACE_DISK,
            model.CERTIFICATE_DAYS,
        ),
        _NUMBER,
    ),
}
_NOTIFICATION = {
    "type": "object",
    "properties": dict.fromkeys(model.CATEGORIES, _FLAG),
}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {model.THRESHOLDS: _THRESHOLDS, model.NOTIFICATION: _NOTIFICATION},
}


@endpoints.route(
    "GET",
    PATH,
    summary="The alerting configuration: thresholds, and the alert categories e-mailed",
    response_schema=_SCHEMA,
    **READ,
)
def get_alerting(request: ReadRequest, caller: Caller) -> Response:
    body = model.current(store_of(request))
    external = bool(services(request).instance.props.audit_log_dir)
    return json_response(model.view(body, external_audit_log=external))


def _change(request: ReadRequest, *, replace: bool) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        body = model.replaced(data) if replace else model.changed(model.current(store), data)
        model.save(store, body)
    audit(request, "alerting.changed", replaced=replace)
    return empty_response()


@endpoints.route(
    "PUT",
    PATH,
    summary="Set the alerting configuration (what is left out takes its default)",
    status=204,
    request_schema=_SCHEMA,
    **WRITE_ADMIN_ONLY,
)
def put_alerting(request: ReadRequest, caller: Caller) -> Response:
    return _change(request, replace=True)


@endpoints.route(
    "PATCH",
    PATH,
    summary="Change some values of the alerting configuration",
    status=204,
    request_schema=_SCHEMA,
    **WRITE_ADMIN_ONLY,
)
def patch_alerting(request: ReadRequest, caller: Caller) -> Response:
    return _change(request, replace=False)

"""Audit log settings: the cross-subaccount level and cleanup, and each subaccount's level. A
level applies at once to what ``openscc.audit`` records (see ``openscc.config.audit_settings``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_ADMIN_ONLY, store_of
from openscc.api.routes.monitoring.audit_trail import note_audit_level_change
from openscc.audit import AUDIT_LEVELS
from openscc.config import audit_settings as model
from openscc.config.lookup import require_subaccount
from openscc.config.values import present
from openscc.errors import InvalidRequest

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/auditLog"
SUBACCOUNT = f"{PATH}/subaccounts/{{region}}/{{subaccount}}"
_LEVEL = {"type": "string", "enum": list(AUDIT_LEVELS)}
_CLEANUP = {"type": ["integer", "string"], "enum": list(model.CLEANUP_DAYS)}
_LEVEL_ONLY: dict[str, Any] = {"type": "object", "properties": {"level": _LEVEL}}


@endpoints.route(
    "GET",
    PATH,
    summary="The cross-subaccount audit log settings",
    response_schema={
        "type": "object",
        "properties": {"level": _LEVEL, "cleanup": _CLEANUP, "logPath": {"type": "string"}},
    },
    **READ,
)
def get_settings(request: ReadRequest, caller: Caller) -> Response:
    body = model.settings(store_of(request))
    log_path = str(services(request).instance.audit.path.parent)
    return json_response({"level": body["level"], "cleanup": body["cleanup"], "logPath": log_path})


@endpoints.route(
    "PATCH",
    PATH,
    summary="Change the cross-subaccount audit level or cleanup (the level applies at once)",
    status=204,
    request_schema={"type": "object", "properties": {"level": _LEVEL, "cleanup": _CLEANUP}},
    **WRITE_ADMIN_ONLY,
)
def patch_settings(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        body = model.patched(model.settings(store), data)
        model.save(store, body)
    services(request).instance.audit.level = body["level"]
    note_audit_level_change(
        request, "auditLog.changed", level=body["level"], cleanup=body["cleanup"]
    )
    return empty_response()


@endpoints.route(
    "GET",
    SUBACCOUNT,
    summary="A subaccount's audit level",
    response_schema=_LEVEL_ONLY,
    **READ,
)
def get_subaccount(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    sa = require_subaccount(store, request.path_params["region"], request.path_params["subaccount"])
    return json_response({"level": model.subaccount_level(store, sa.key)})


@endpoints.route(
    "PATCH",
    SUBACCOUNT,
    summary="Change a subaccount's audit level (applies at once)",
    status=204,
    request_schema={**_LEVEL_ONLY, "required": ["level"]},
    **WRITE_ADMIN_ONLY,
)
def patch_subaccount(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    if not present(data, "level"):
        raise InvalidRequest("level is required")
    level = model.level(data["level"])
    store = store_of(request)
    with store.transaction():
        sa = require_subaccount(
            store, request.path_params["region"], request.path_params["subaccount"]
        )
        model.save_subaccount_level(store, sa.key, level)
    note_audit_level_change(request, "subaccountAuditLog.changed", level=level)
    return empty_response()

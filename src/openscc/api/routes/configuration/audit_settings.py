"""Audit log settings: the cross-subaccount level and cleanup, and each subaccount's level. A
level applies at once to what ``openscc.audit`` records (see ``openscc.config.audit_settings``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_ADMIN_ONLY, store_of
from openscc.api.routes.configuration.singletons import Change, Setting, register
from openscc.api.routes.monitoring.audit_trail import note_audit_level_change
from openscc.audit import AUDIT_LEVELS
from openscc.config import audit_settings as model
from openscc.config.lookup import require_subaccount

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/auditLog"
SUBACCOUNT = f"{PATH}/subaccounts/{{region}}/{{subaccount}}"
_LEVEL = {"type": "string", "enum": list(AUDIT_LEVELS)}
_CLEANUP = {"type": "integer", "enum": list(model.CLEANUP_DAYS)}
_LEVEL_ONLY: dict[str, Any] = {"type": "object", "properties": {"level": _LEVEL}}


def _view(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    log_path = str(services(request).instance.audit.path.parent)
    return {"level": body["level"], "cleanup": body["cleanup"], "logPath": log_path}


def _apply_level(request: Request, body: dict[str, Any]) -> None:
    services(request).instance.audit.level = body["level"]


register(
    endpoints,
    Setting(
        path=PATH,
        summary="The cross-subaccount audit log settings",
        read=model.settings,
        save=model.save,
        view=_view,
        response_schema={
            "type": "object",
            "properties": {"level": _LEVEL, "cleanup": _CLEANUP, "logPath": {"type": "string"}},
        },
        write=WRITE_ADMIN_ONLY,
        changes=(
            Change(
                method="PATCH",
                summary="Change the cross-subaccount audit level or cleanup (the level applies "
                "at once)",
                fields=model.FIELDS,
                apply=model.patched,
                audit_event="auditLog.changed",
                audit_details=lambda body: {"level": body["level"], "cleanup": body["cleanup"]},
            ),
        ),
        applied=_apply_level,
        note=note_audit_level_change,  # turning the audit log off is on record too
    ),
)


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
    request_fields=model.SUBACCOUNT_FIELDS,
    **WRITE_ADMIN_ONLY,
)
def patch_subaccount(request: ReadRequest, caller: Caller) -> Response:
    level = model.subaccount_level_given(json_object(request))
    store = store_of(request)
    with store.transaction():
        sa = require_subaccount(
            store, request.path_params["region"], request.path_params["subaccount"]
        )
        model.save_subaccount_level(store, sa.key, level)
    note_audit_level_change(request, "subaccountAuditLog.changed", level=level)
    return empty_response()

"""Log and trace settings: cross-account levels (applied to the server's loggers at once) and the
per-subaccount trace switches."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, audit, store_of
from openscc.api.routes.configuration.singletons import Change, Setting, register
from openscc.auth.roles import ADMIN_AND_SUPPORT
from openscc.config import log_settings as model
from openscc.config.lookup import require_subaccount

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/logAndTrace"
SUBACCOUNT = f"{PATH}/subaccounts/{{region}}/{{subaccount}}"
# The page's role list for changes: Administrator and Support. Log levels are each instance's
# own ("the log level on master and shadow instances can be different"), so a shadow sets its own.
_WRITE: dict[str, Any] = {
    "roles": ADMIN_AND_SUPPORT,
    "tag": "configuration",
}
_LEVEL = {"type": "string", "enum": list(model.LEVELS)}
_VIEW_SCHEMA = {
    "type": "object",
    "properties": {
        "sccLogLevel": _LEVEL,
        "otherLogLevel": _LEVEL,
        "tlsTrace": {"type": "boolean"},
        "isTlsTraceActive": {"type": "boolean"},
        "cpicTraceLevel": {"type": "integer"},
        "cleanup": {"type": "integer"},
        "rolloverThreshold": {"type": "string"},
        "logAndTracePath": {"type": "string"},
    },
}
_SUBACCOUNT_SCHEMA = {
    "type": "object",
    "properties": {name: {"type": "boolean"} for name in model.SUBACCOUNT_DEFAULTS},
}


def _view(_request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "sccLogLevel": body["sccLogLevel"],
        "otherLogLevel": body["otherLogLevel"],
        "tlsTrace": body["tlsTrace"],
        "isTlsTraceActive": False,  # openscc has no TLS trace
        "cpicTraceLevel": body["cpicTraceLevel"],
        "cleanup": body["cleanup"],
        "rolloverThreshold": body["rolloverThreshold"],
        "logAndTracePath": "",  # openscc writes its log to standard error, not to files
    }


register(
    endpoints,
    Setting(
        path=PATH,
        summary="The cross-account log and trace settings",
        read=model.settings,
        save=model.save,
        view=_view,
        response_schema=_VIEW_SCHEMA,
        write=_WRITE,
        changes=(
            Change(
                method="PATCH",
                summary="Change some of the cross-account log and trace settings (levels apply "
                "at once)",
                fields=model.FIELDS,
                apply=model.patched,
                audit_event="logAndTrace.changed",
                audit_details=lambda body: {
                    "sccLogLevel": body["sccLogLevel"],
                    "otherLogLevel": body["otherLogLevel"],
                },
            ),
        ),
        applied=lambda _request, body: model.apply_levels(body),
    ),
)


@endpoints.route(
    "GET",
    SUBACCOUNT,
    summary="A subaccount's trace settings",
    response_schema=_SUBACCOUNT_SCHEMA,
    **READ,
)
def get_subaccount(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    sa = require_subaccount(store, request.path_params["region"], request.path_params["subaccount"])
    return json_response(model.subaccount_settings(store, sa.key))


@endpoints.route(
    "PATCH",
    SUBACCOUNT,
    summary="Change a subaccount's trace settings",
    status=204,
    request_fields=model.SUBACCOUNT_FIELDS,
    **_WRITE,
)
def patch_subaccount(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        sa = require_subaccount(
            store, request.path_params["region"], request.path_params["subaccount"]
        )
        body = model.patched_subaccount(model.subaccount_settings(store, sa.key), data)
        model.save_subaccount(store, sa.key, body)
    audit(request, "subaccountTrace.changed", **body)
    return empty_response()

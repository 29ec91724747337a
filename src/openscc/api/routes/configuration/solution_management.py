"""Solution management: the reporting settings and the LMDB registration file."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, audit, store_of
from openscc.auth.roles import ADMIN_AND_SUPPORT
from openscc.config import solution_management as model

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/solutionManagement"
REGISTRATION = f"{PATH}/registrationFile"
_WRITE: dict[str, Any] = {
    "roles": ADMIN_AND_SUPPORT,
    "changes_config": True,
    "tag": "configuration",
}
_VIEW = {
    "type": "object",
    "properties": {
        "hostAgentPath": {"type": "string"},
        "isEnabled": {"type": "boolean"},
        "dsrEnabled": {"type": "boolean"},
    },
}
_ZIP = {
    "description": "A zip archive with the registration file for the LMDB",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


@endpoints.route(
    "GET", PATH, summary="The solution management settings", response_schema=_VIEW, **READ
)
def get_settings(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.settings(store_of(request)))


@endpoints.route(
    "POST",
    PATH,
    summary="Turn solution management reporting on (the host agent executable must exist)",
    status=204,
    request_schema={
        "type": "object",
        "properties": {
            "hostAgentPath": {"type": "string"},
            "dsrEnabled": {"type": ["boolean", "string"]},
        },
    },
    more_responses={"409": "The host agent executable is not a file or does not exist"},
    **_WRITE,
)
def activate(request: ReadRequest, caller: Caller) -> Response:
    # The body is optional: the page's first example posts none.
    data = json_object(request) if request.body_bytes.strip() else {}
    store = store_of(request)
    with store.transaction():
        body = model.activated(model.settings(store), data)
        model.save(store, body)
    audit(request, "solutionManagement.activated", dsrEnabled=body["dsrEnabled"])
    return empty_response()


@endpoints.route(
    "DELETE", PATH, summary="Turn solution management reporting off", status=204, **_WRITE
)
def deactivate(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        model.save(store, {**model.settings(store), "isEnabled": False})
    audit(request, "solutionManagement.deactivated")
    return empty_response()


@endpoints.route(
    "GET",
    REGISTRATION,
    summary="The registration file for the solution management LMDB (a zip archive)",
    roles=ADMIN_AND_SUPPORT,
    tag="configuration",
    response_content_type="application/zip",
    more_responses={"200": _ZIP},
)
def registration_file(request: ReadRequest, caller: Caller) -> Response:
    svc = services(request)
    where = model.Installation(
        host=model.this_host(),
        port=svc.instance.settings.port,
        instance_id=svc.instance.instance_id,
    )
    archive = model.registration_zip(store_of(request), where)
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": 'attachment;filename="scc_lmdb_registration.zip"',
            "Cache-Control": "no-store",
        },
    )

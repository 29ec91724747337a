"""Solution management: the reporting settings and the LMDB registration file."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest
from openscc.api.routes.configuration.common import store_of
from openscc.api.routes.configuration.singletons import Change, Setting, register
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

register(
    endpoints,
    Setting(
        path=PATH,
        summary="The solution management settings",
        read=model.settings,
        save=model.save,
        response_schema=_VIEW,
        write=_WRITE,
        changes=(
            Change(
                method="POST",
                summary="Turn solution management reporting on (the host agent executable "
                "must exist)",
                fields=model.FIELDS,
                body_optional=True,  # the page's first example posts none
                apply=model.activated,
                audit_event="solutionManagement.activated",
                audit_details=lambda body: {"dsrEnabled": body["dsrEnabled"]},
                more_responses={"409": "The host agent executable is not a file or does not exist"},
            ),
            Change(
                method="DELETE",
                summary="Turn solution management reporting off",
                apply=model.deactivated,
                audit_event="solutionManagement.deactivated",
            ),
        ),
    ),
)


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

"""openscc's own: who the caller is, for the web page (which buttons to show; the API decides
anyway)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.context import Caller, services
from openscc.api.endpoints import EndpointTable
from openscc.api.responses import empty_response, json_response
from openscc.auth.roles import EVERY_ROLE, ROLE_NAMES
from openscc.auth.sessions import SESSION_COOKIE
from openscc.connector_state import ha_role

endpoints = EndpointTable()
EXTENSION = "/api/openscc/v1"


@endpoints.route(
    "GET",
    f"{EXTENSION}/session",
    summary="The caller: user name, roles, whether the initial password must still be changed, "
    "and the instance's HA role (openscc's own)",
    roles=EVERY_ROLE,
    before_initial_password=True,
    needs_ha_role=False,
    response_schema={
        "type": "object",
        "properties": {
            "user": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string"}},
            "initialPassword": {"type": "boolean"},
            "haRole": {"type": ["string", "null"]},
        },
    },
    tag="openscc",
)
async def session_info(request: Request, caller: Caller) -> Response:
    svc = services(request)
    role = await svc.store_thread.run(ha_role, svc.instance.store)
    return json_response(
        {
            "user": caller.user.name,
            "roles": [r for r in ROLE_NAMES if r in caller.user.roles],
            "initialPassword": caller.user.initial_password,
            "haRole": role,
        }
    )


@endpoints.route(
    "DELETE",
    f"{EXTENSION}/session",
    summary="Log off: end the caller's session (openscc's own; the web page's Log off)",
    roles=EVERY_ROLE,
    before_initial_password=True,
    needs_ha_role=False,
    status=204,
    tag="openscc",
)
async def log_off(request: Request, caller: Caller) -> Response:
    if caller.session is not None:
        services(request).sessions.end(caller.session.id)
    response = empty_response(204)
    response.headers.append(
        "Set-Cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"
    )
    return response

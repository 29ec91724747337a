"""openscc's own, for the web page: who the caller is and what they may do now (which buttons to
show; the API decides anyway), logging off, and the connector's certificates in one read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds, versions_text
from openscc.api.http.authorization import decide, role_for
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import empty_response, json_response
from openscc.auth.roles import EVERY_ROLE, ROLE_NAMES
from openscc.auth.sessions import SESSION_COOKIE
from openscc.auth.users import User
from openscc.config import certificate_slots as slots
from openscc.config import certs
from openscc.config.connector_state import ha_role

endpoints = EndpointTable()
EXTENSION = "/api/openscc/v1"
# What the web page asks before it shows a control, each the endpoint that control calls. The
# answer is ``authorization.decide``'s for the caller now, so the page hides exactly what the API
# would refuse (a role, the initial password, a shadow) and keeps no role table of its own.
CAPABILITIES = {
    "backup": ("POST", "/api/v1/configuration/backup"),
    "restore": ("PUT", "/api/v1/configuration/backup"),
    "changeConnector": ("PUT", "/api/v1/configuration/connector"),
    "changeProxy": ("PUT", "/api/v1/configuration/connector/proxy"),
    "changeSubaccounts": ("POST", "/api/v1/configuration/subaccounts"),
    "manageUsers": ("GET", f"{EXTENSION}/users"),
    "manageSchedules": ("GET", f"{EXTENSION}/backup/schedules"),
    "runSchedules": ("POST", f"{EXTENSION}/backup/schedules/{{name}}/run"),
    "restoreConnectors": ("POST", f"{EXTENSION}/backup/fleet/{{name}}/restore"),
    "readSafetyBackups": ("GET", f"{EXTENSION}/backup/safety"),
    "readCertificateExpiry": ("GET", "/api/monitoring/certificates"),
    "changeHaMaster": ("PUT", "/api/v1/configuration/connector/ha/master/config"),
    "switchRoles": ("POST", "/api/v1/configuration/connector/ha/master/state"),
    "changeHaShadow": ("PUT", "/api/v1/configuration/connector/ha/shadow/config"),
    "connectShadow": ("POST", "/api/v1/configuration/connector/ha/shadow/state"),
}


def capabilities(table: EndpointTable, user: User, ha_role: str | None) -> dict[str, bool]:
    """Whether ``user`` may call each capability's endpoint now."""
    found = table.by_path()
    answer = {}
    for name, (method, path) in CAPABILITIES.items():
        endpoint = found[path][method]
        refusal = decide(
            endpoint,
            role=role_for(endpoint, user.roles, user.role),
            initial_password=user.initial_password,
            ha_role=ha_role,
        )
        answer[name] = refusal is None
    return answer


@endpoints.loop_route(
    "GET",
    f"{EXTENSION}/session",
    summary="The caller: user name, roles, whether the initial password must still be changed, "
    "the instance's HA role, and what the caller may do now (openscc's own)",
    roles=EVERY_ROLE,
    before_initial_password=True,
    needs_ha_role=False,
    response_schema={
        "type": "object",
        "properties": {
            "user": {"type": "string"},
            "versions": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string"}},
            "initialPassword": {"type": "boolean"},
            "haRole": {"type": ["string", "null"]},
            "may": {
                "type": "object",
                "properties": {name: {"type": "boolean"} for name in CAPABILITIES},
            },
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
            # As every part of openscc names it: "openscc 0.1.0, Cloud Connector API 2.19.0.2".
            "versions": versions_text(),
            "roles": [r for r in ROLE_NAMES if r in caller.user.roles],
            "initialPassword": caller.user.initial_password,
            "haRole": role,
            "may": capabilities(request.app.state.endpoints, caller.user, role),
        }
    )


@endpoints.loop_route(
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


@endpoints.loop_route(
    "GET",
    f"{EXTENSION}/certificates",
    summary="The connector's own certificates (UI, system, principal propagation CA), each "
    "described or null when there is none: one read for the web page instead of a 404 per "
    "missing one (openscc's own)",
    roles=EVERY_ROLE,
    response_schema={"type": "object"},
    tag="openscc",
)
async def own_certificates(request: Request, caller: Caller) -> Response:
    svc = services(request)

    def read() -> dict[str, object]:
        store = svc.instance.store
        described: dict[str, object] = {}
        for name, slot in (("ui", slots.UI), ("system", slots.SYSTEM), ("ppCa", slots.PP_CA)):
            record = store.get(slot.kind, kinds.SINGLETON_KEY)
            described[name] = (
                None if record is None else certs.describe(str(record.body["certificatePem"]))
            )
        return described

    return json_response(await svc.store_thread.run(read))

"""Testing an LDAP configuration with a logon before saving it, as the product's "test
configuration" does: the directory is asked, with the configuration given (or the stored one),
whether a user and password log on and which roles their groups give. Nothing is stored, and
the attempt counts for no lockout: it is an administrator's check, audited without the
password (openscc's own)."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import json_response
from openscc.api.routes.configuration.common import audit
from openscc.auth.ldap import directory
from openscc.auth.ldap.servers import SERVER_FIELDS, LdapServer, nested_server
from openscc.auth.ldap.store import load
from openscc.auth.roles import ADMIN_ONLY
from openscc.config.values import Fields, String, Structured, Text
from openscc.errors import InvalidRequest

endpoints = EndpointTable()
TEST_PATH = "/api/openscc/v1/ldap/test"

TEST_FIELDS = Fields(
    Structured(
        name="server",
        json_schema=SERVER_FIELDS.schema(),
        parser=nested_server,
        description="an LDAP server configuration as POST .../ldap/servers takes it; "
        "absent: the stored servers, in order",
    ),
    Text(
        name="id",
        max_length=64,
        description="the stored server this configuration changes: its password is kept when "
        "the given one is missing or masked",
    ),
    String(name="user", required=True, max_length=256),
    String(name="password", required=True, max_length=1024, secret=True),
)


@endpoints.loop_route(
    "POST",
    TEST_PATH,
    summary="Test an LDAP configuration with a user's logon before saving it (nothing stored, "
    "no lockout): whether they log on, on which server, their groups and roles",
    roles=ADMIN_ONLY,
    request_fields=TEST_FIELDS,
    response_schema={"type": "object"},
    tag="openscc",
)
async def test_logon(request: Request, caller: Caller) -> Response:
    values = TEST_FIELDS.read(await read_json_object(request))
    svc = services(request)
    stored = await svc.store_thread.run(load, svc.instance.store)
    servers = _servers(values, stored.servers)
    logons = svc.authenticator.directory
    outcome = await logons.slots.run(
        partial(
            directory.authenticate,
            servers,
            values["user"],
            values["password"],
            timeout_seconds=logons.timeout_seconds,
        )
    )
    answer: dict[str, Any] = {
        "authenticated": outcome.found is not None,
        "unusable": list(outcome.unusable),
    }
    if outcome.found is not None:
        server = next(s for s in servers if s.id == outcome.found.server_id)
        answer |= {
            "server": outcome.found.server_id,
            "dn": outcome.found.dn,
            "groups": sorted(outcome.found.groups),
            "roles": sorted(server.roles_of(outcome.found.groups)),
        }
    answer["message"] = _message(answer, refused=outcome.refused)
    audit(request, "ldap.tested", user=values["user"], authenticated=answer["authenticated"])
    return json_response(answer)


def _servers(values: dict[str, Any], stored: tuple[LdapServer, ...]) -> tuple[LdapServer, ...]:
    given = values["server"]
    if given is None:
        if not stored:
            raise InvalidRequest("there is no stored LDAP server: give a server to test")
        return stored
    previous = next((s for s in stored if s.id == values["id"]), None) if values["id"] else None
    return (given.server(server_id=values["id"] or "test", previous=previous),)


def _message(answer: dict[str, Any], *, refused: bool) -> str:
    if answer["authenticated"]:
        roles = ", ".join(answer["roles"]) or "no role (the user could not log on to openscc)"
        return f"{answer['dn']} logs on; roles: {roles}"
    if refused:
        return "the directory refused this user name or password"
    return "no LDAP server could be asked: " + "; ".join(answer["unusable"])

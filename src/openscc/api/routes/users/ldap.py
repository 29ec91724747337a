"""Authentication settings: which user store logons use, and the LDAP configuration (API v1 and
v2), as SAP's "Authentication and UI Settings" page describes them. Reading them; the writes are
in ``ldap_changes``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest
from openscc.api.http.responses import json_response
from openscc.api.routes.configuration.common import READ, STRING, store_of
from openscc.auth.ldap.servers import CUSTOM_ROLE_FIELDS, LdapServer
from openscc.auth.ldap.store import load
from openscc.errors import NotFound

endpoints = EndpointTable()
V1 = "/api/v1/configuration/connector/authentication"
V2 = "/api/v2/configuration/connector/authentication"
SERVERS = f"{V2}/ldap/servers"

_HOST = {
    "type": "object",
    "properties": {
        "host": STRING,
        "port": {"type": ["string", "integer"]},
        "isSecure": {"type": ["boolean", "string"]},
    },
    "required": ["host"],
}
_SERVER_VIEW = {
    "type": "object",
    "properties": {
        "id": STRING,
        "config": STRING,
        "hosts": {"type": "array", "items": _HOST, "minItems": 1, "maxItems": 2},
        "user": STRING,
        "password": STRING,
        **dict.fromkeys(CUSTOM_ROLE_FIELDS, STRING),
        "caCertificate": STRING,
    },
    "required": ["config", "hosts"],
}
_SERVER_LIST = {"type": "array", "items": _SERVER_VIEW}


def _view(server: LdapServer) -> dict[str, Any]:
    return server.view(with_id=True)


@endpoints.route(
    "GET",
    V1,
    summary="The user store logons use: basic (local users) or ldap, with its configuration",
    response_schema={
        "type": "object",
        "properties": {"type": {"enum": ["basic", "ldap"]}, "configuration": _SERVER_VIEW},
        "required": ["type"],
    },
    **READ,
)
def get_authentication(request: ReadRequest, caller: Caller) -> Response:
    configuration = load(store_of(request))
    if not configuration.active:
        return json_response({"type": "basic"})
    # API v1 knows one server: the first, which logons try first.
    return json_response(
        {"type": "ldap", "configuration": configuration.servers[0].view(with_id=False)}
    )


@endpoints.route(
    "GET",
    V2,
    summary="The user store logons use, with the LDAP servers in order when it is ldap",
    response_schema={
        "type": "object",
        "properties": {
            "type": {"enum": ["basic", "ldap"]},
            "orderedLdapConfigurations": _SERVER_LIST,
        },
        "required": ["type"],
    },
    **READ,
)
def get_authentication_v2(request: ReadRequest, caller: Caller) -> Response:
    configuration = load(store_of(request))
    if not configuration.active:
        return json_response({"type": "basic"})
    return json_response(
        {
            "type": "ldap",
            "orderedLdapConfigurations": [_view(s) for s in configuration.servers],
        }
    )


@endpoints.route(
    "GET",
    f"{V2}/ldap",
    summary="The LDAP configuration: whether it is active, and its servers in order",
    response_schema={
        "type": "object",
        "properties": {"enabled": {"type": "boolean"}, "orderedLdapConfigurations": _SERVER_LIST},
        "required": ["enabled", "orderedLdapConfigurations"],
    },
    **READ,
)
def get_ldap(request: ReadRequest, caller: Caller) -> Response:
    configuration = load(store_of(request))
    return json_response(
        {
            "enabled": configuration.active,
            "orderedLdapConfigurations": [_view(s) for s in configuration.servers],
        }
    )


@endpoints.route(
    "GET",
    f"{SERVERS}/{{id}}",
    summary="One LDAP server configuration",
    response_schema=_SERVER_VIEW,
    **READ,
)
def get_server(request: ReadRequest, caller: Caller) -> Response:
    server_id = request.path_params["id"]
    server = load(store_of(request)).find(server_id)
    if server is None:
        raise NotFound(f"no LDAP server configuration with id {server_id}")
    return json_response(_view(server))

"""Authentication settings: which user store logons use, and the LDAP configuration (API v1 and
v2), as SAP's "Authentication and UI Settings" page describes them.

Writes that would make a configuration active check it first: every server it would use must
answer (over verified TLS where configured) and accept its connection user, or the request is
``409 INVALID_CONFIGURATION`` and nothing is stored. While LDAP authentication is off, server
configurations are stored unchecked, as drafts (the product's UI has "Save Draft").

The checks talk to the directory, so these writes are loop handlers: the network part runs in the
directory workers, the store part in the store thread. Unlike other connector settings, they are
allowed on a shadow instance, which the product's pages say has an LDAP configuration of its own.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, Services, base_url, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.common import READ, STRING, audit, store_of
from openscc.auth.ldap import directory
from openscc.auth.ldap.servers import LdapServer, parse_server
from openscc.auth.ldap.store import MAX_SERVERS, LdapConfiguration, load, new_server_id, save
from openscc.auth.roles import ADMIN_ONLY
from openscc.config.values import as_bool, as_int, required
from openscc.errors import Conflict, InvalidConfiguration, InvalidRequest, NotFound
from openscc.store.entities import EntityStore

endpoints = EndpointTable()
V1 = "/api/v1/configuration/connector/authentication"
V2 = "/api/v2/configuration/connector/authentication"
SERVERS = f"{V2}/ldap/servers"

# Writes: the Administrator role alone (the page), also on a shadow (see the module docstring).
_WRITE: dict[str, Any] = {"roles": ADMIN_ONLY, "tag": "configuration"}
_UNREACHABLE = "INVALID_CONFIGURATION: an LDAP server is not accessible; nothing was stored"
_LENIENT_BOOLEAN = {"type": ["boolean", "string"]}
_HOST = {
    "type": "object",
    "properties": {
        "host": STRING,
        "port": {"type": ["string", "integer"]},
        "isSecure": _LENIENT_BOOLEAN,
    },
    "required": ["host"],
}
_SERVER_PROPERTIES: dict[str, Any] = {
    "config": STRING,
    "hosts": {"type": "array", "items": _HOST, "minItems": 1, "maxItems": 2},
    "user": STRING,
    "password": STRING,
    "customAdminRole": STRING,
    "customSubadminRole": STRING,
    "customDisplayRole": STRING,
    "customMonitoringRole": STRING,
    "customSupportRole": STRING,
    "caCertificate": STRING,
}
_SERVER_REQUEST = {
    "type": "object",
    "properties": {"id": STRING, **_SERVER_PROPERTIES},
    "required": ["config", "hosts"],
}
_SERVER_VIEW = {
    "type": "object",
    "properties": {"id": STRING, **_SERVER_PROPERTIES},
    "required": ["config", "hosts"],
}
_SERVER_LIST = {"type": "array", "items": _SERVER_VIEW}


def _view(server: LdapServer) -> dict[str, Any]:
    return server.view(with_id=True)


# Reads ------------------------------------------------------------------------------------------


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


# Writes -----------------------------------------------------------------------------------------


async def _current(svc: Services) -> LdapConfiguration:
    return await svc.store_thread.run(load, svc.instance.store)


async def _check_reachable(svc: Services, servers: tuple[LdapServer, ...]) -> None:
    """409 INVALID_CONFIGURATION unless each server answers on one of its hosts and accepts its
    connection user (in the directory workers, never on the loop)."""
    logons = svc.authenticator.directory
    for position, server in enumerate(servers):
        try:
            await logons.slots.run(
                partial(directory.probe, server, timeout_seconds=logons.timeout_seconds)
            )
        except directory.Unusable as error:
            name = f"LDAP server {server.id}" if server.id else f"the LDAP server at {position}"
            raise InvalidConfiguration(f"{name} is not accessible: {error}") from None


def _with_ids(store: EntityStore, servers: tuple[LdapServer, ...]) -> tuple[LdapServer, ...]:
    """New servers (no id yet) get theirs; in the write's transaction."""
    return tuple(s if s.id else dataclasses.replace(s, id=new_server_id(store)) for s in servers)


async def _replace(svc: Services, enabled: bool, servers: tuple[LdapServer, ...]) -> None:
    def write() -> None:
        store = svc.instance.store
        with store.transaction():
            save(store, LdapConfiguration(enabled=enabled, servers=_with_ids(store, servers)))

    await svc.store_thread.run(write)


def _servers_field(value: Any, current: LdapConfiguration) -> tuple[LdapServer, ...]:
    """orderedLdapConfigurations: an entry with the id of a stored server changes that server
    (a missing or masked password keeps its password); others are new servers."""
    if not isinstance(value, list):
        raise InvalidRequest("orderedLdapConfigurations must be a list of LDAP configurations")
    if len(value) > MAX_SERVERS:
        raise InvalidRequest(f"at most {MAX_SERVERS} LDAP servers can be configured")
    servers: list[LdapServer] = []
    for index, entry in enumerate(value):
        given = entry.get("id") if isinstance(entry, dict) else None
        previous = current.find(str(given)) if given is not None else None
        server_id = previous.id if previous is not None else ""
        if server_id and any(s.id == server_id for s in servers):
            raise InvalidRequest(
                f"orderedLdapConfigurations[{index}]: id {server_id} is given twice"
            )
        servers.append(parse_server(entry, server_id=server_id, previous=previous))
    return tuple(servers)


@endpoints.loop_route(
    "PUT",
    f"{V1}/ldap",
    summary="Turn LDAP authentication on or off, with one LDAP server configuration (API v1)",
    status=204,
    request_schema={
        "type": "object",
        "properties": {
            "enable": _LENIENT_BOOLEAN,
            "configuration": {**_SERVER_REQUEST, "properties": _SERVER_PROPERTIES},
        },
        "required": ["enable"],
    },
    more_responses={"409": _UNREACHABLE},
    **_WRITE,
)
async def put_ldap_v1(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    enable = as_bool(required(data, "enable"), "enable")
    svc = services(request)
    current = await _current(svc)
    if data.get("configuration") is not None:
        # API v1 knows one server: this one replaces the list (keeping the first one's id).
        previous = current.servers[0] if current.servers else None
        server = parse_server(
            data["configuration"],
            server_id=previous.id if previous is not None else "",
            previous=previous,
        )
        servers: tuple[LdapServer, ...] = (server,)
    else:
        servers = current.servers
        if enable and not servers:
            raise InvalidRequest("configuration is required: there is no LDAP configuration yet")
    return await _switch(request, svc, enable, servers)


async def _switch(
    request: Request, svc: Services, enabled: bool, servers: tuple[LdapServer, ...]
) -> Response:
    """Store LDAP on or off with these servers, after checking them if it is to be on."""
    if enabled:
        await _check_reachable(svc, servers)
    await _replace(svc, enabled, servers)
    audit(request, "ldap.changed", enabled=enabled, servers=len(servers))
    return empty_response()


@endpoints.loop_route(
    "PUT",
    f"{V2}/ldap",
    summary="Turn LDAP authentication on or off, with the LDAP servers in order (API v2)",
    status=204,
    request_schema={
        "type": "object",
        "properties": {
            "enabled": _LENIENT_BOOLEAN,
            "orderedLdapConfigurations": {
                "type": "array",
                "items": _SERVER_REQUEST,
                "maxItems": MAX_SERVERS,
            },
        },
        "required": ["enabled"],
    },
    more_responses={"409": _UNREACHABLE},
    **_WRITE,
)
async def put_ldap_v2(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    enabled = as_bool(required(data, "enabled"), "enabled")
    svc = services(request)
    current = await _current(svc)
    if data.get("orderedLdapConfigurations") is not None:
        servers = _servers_field(data["orderedLdapConfigurations"], current)
    else:
        servers = current.servers
    if enabled and not servers:
        raise InvalidRequest("orderedLdapConfigurations needs at least one LDAP configuration")
    return await _switch(request, svc, enabled, servers)


@endpoints.loop_route(
    "POST",
    SERVERS,
    summary="Add an LDAP server configuration at the end of the list; its id is in Location",
    status=201,
    request_schema=_SERVER_REQUEST,
    more_responses={"409": f"{_UNREACHABLE}; or ILLEGAL_STATE: {MAX_SERVERS} servers already"},
    **_WRITE,
)
async def post_server(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    server = parse_server(data, server_id="", previous=None)  # the client sets no id
    svc = services(request)
    current = await _current(svc)
    _refuse_more(current)
    if current.active:
        await _check_reachable(svc, (server,))

    def write() -> str:
        store = svc.instance.store
        with store.transaction():
            now = load(store)
            _refuse_more(now)
            (added,) = _with_ids(store, (server,))
            save(store, dataclasses.replace(now, servers=(*now.servers, added)))
            return added.id

    server_id = await svc.store_thread.run(write)
    audit(request, "ldap.server.created", id=server_id)
    return created(f"{base_url(request)}{SERVERS}/{server_id}")


def _refuse_more(configuration: LdapConfiguration) -> None:
    if len(configuration.servers) >= MAX_SERVERS:
        raise Conflict(f"there are {MAX_SERVERS} LDAP servers already, the most there can be")


def _position_of(configuration: LdapConfiguration, server_id: str) -> int:
    for position, server in enumerate(configuration.servers):
        if server.id == server_id:
            return position
    raise NotFound(f"no LDAP server configuration with id {server_id}")


@endpoints.loop_route(
    "PUT",
    f"{SERVERS}/{{id}}",
    summary="Change one LDAP server configuration (a missing or masked password is kept)",
    status=204,
    request_schema=_SERVER_REQUEST,
    more_responses={"409": _UNREACHABLE},
    **_WRITE,
)
async def put_server(request: Request, caller: Caller) -> Response:
    server_id = request.path_params["id"]
    data = await read_json_object(request)
    svc = services(request)
    current = await _current(svc)
    previous = current.servers[_position_of(current, server_id)]
    if data.get("id") is not None and str(data["id"]) != server_id:
        raise InvalidRequest(
            f"id {data['id']} in the body differs from the id {server_id} of the path"
        )
    server = parse_server(data, server_id=server_id, previous=previous)
    if current.active:
        await _check_reachable(svc, (server,))

    def write() -> None:
        store = svc.instance.store
        with store.transaction():
            now = load(store)
            position = _position_of(now, server_id)
            servers = list(now.servers)
            servers[position] = server
            save(store, dataclasses.replace(now, servers=tuple(servers)))

    await svc.store_thread.run(write)
    audit(request, "ldap.server.changed", id=server_id)
    return empty_response()


@endpoints.loop_route(
    "DELETE",
    f"{SERVERS}/{{id}}",
    summary="Remove one LDAP server configuration (never the last one)",
    status=204,
    more_responses={"409": "ILLEGAL_STATE: the last LDAP server cannot be removed"},
    **_WRITE,
)
async def delete_server(request: Request, caller: Caller) -> Response:
    server_id = request.path_params["id"]
    svc = services(request)

    def write() -> None:
        store = svc.instance.store
        with store.transaction():
            now = load(store)
            _position_of(now, server_id)
            if len(now.servers) == 1:
                raise Conflict("the last LDAP server configuration cannot be removed")
            remaining = tuple(s for s in now.servers if s.id != server_id)
            save(store, dataclasses.replace(now, servers=remaining))

    await svc.store_thread.run(write)
    audit(request, "ldap.server.deleted", id=server_id)
    return empty_response()


@endpoints.loop_route(
    "POST",
    f"{SERVERS}/{{id}}/move",
    summary="Move one LDAP server configuration to a position in the list (0 is first)",
    status=204,
    request_schema={
        "type": "object",
        "properties": {"position": {"type": ["integer", "string"]}},
        "required": ["position"],
    },
    **_WRITE,
)
async def move_server(request: Request, caller: Caller) -> Response:
    server_id = request.path_params["id"]
    data = await read_json_object(request)
    position = required(data, "position")
    svc = services(request)

    def write() -> int:
        store = svc.instance.store
        with store.transaction():
            now = load(store)
            old = _position_of(now, server_id)
            new = as_int(position, "position", minimum=0, maximum=len(now.servers) - 1)
            servers = list(now.servers)
            servers.insert(new, servers.pop(old))
            save(store, dataclasses.replace(now, servers=tuple(servers)))
            return new

    new_position = await svc.store_thread.run(write)
    audit(request, "ldap.server.moved", id=server_id, position=new_position)
    return empty_response()

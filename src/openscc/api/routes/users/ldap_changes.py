"""Changing the LDAP configuration: turning LDAP authentication on or off with its servers (API v1
and v2), and adding, changing, removing and moving one server.

Writes that would make a configuration active check it first: every server it would use must
answer (over verified TLS where configured) and accept its connection user, or the request is
``409 INVALID_CONFIGURATION`` and nothing is stored. While LDAP authentication is off, server
configurations are stored unchecked, as drafts (the product's UI has "Save Draft").

The checks talk to the directory, so these writes are loop handlers: the network part runs in the
directory workers, the store part in the store thread. Unlike other connector settings, they are
allowed on a shadow instance, which the product's pages say has an LDAP configuration of its own.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, Services, base_url, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import created, empty_response
from openscc.api.routes.configuration.common import audit
from openscc.api.routes.users.ldap import SERVERS, V1, V2
from openscc.auth.ldap import changes, directory
from openscc.auth.ldap.connection import Unusable
from openscc.auth.ldap.servers import SERVER_FIELDS, LdapServer, read_server
from openscc.auth.ldap.store import MAX_SERVERS, LdapConfiguration, load, new_server_id, save
from openscc.auth.roles import ADMIN_ONLY
from openscc.config.values import as_int
from openscc.errors import Conflict, InvalidConfiguration, InvalidRequest, NotFound
from openscc.store.entities import EntityStore

endpoints = EndpointTable()
# Writes: the Administrator role alone (the page), also on a shadow (see the module docstring).
_WRITE: dict[str, Any] = {"roles": ADMIN_ONLY, "tag": "configuration"}
_UNREACHABLE = "INVALID_CONFIGURATION: an LDAP server is not accessible; nothing was stored"


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
        except Unusable as error:
            name = f"LDAP server {server.id}" if server.id else f"the LDAP server at {position}"
            raise InvalidConfiguration(f"{name} is not accessible: {error}") from None


def _with_ids(store: EntityStore, servers: tuple[LdapServer, ...]) -> tuple[LdapServer, ...]:
    """New servers (no id yet) get theirs; in the write's transaction."""
    return tuple(s if s.id else replace(s, id=new_server_id(store)) for s in servers)


async def _replace(svc: Services, enabled: bool, servers: tuple[LdapServer, ...]) -> None:
    def write() -> None:
        store = svc.instance.store
        with store.transaction():
            save(store, LdapConfiguration(enabled=enabled, servers=_with_ids(store, servers)))

    await svc.store_thread.run(write)


@endpoints.loop_route(
    "PUT",
    f"{V1}/ldap",
    summary="Turn LDAP authentication on or off, with one LDAP server configuration (API v1)",
    status=204,
    request_fields=changes.V1_FIELDS,
    more_responses={"409": _UNREACHABLE},
    **_WRITE,
)
async def put_ldap_v1(request: Request, caller: Caller) -> Response:
    values = changes.V1_FIELDS.read(await read_json_object(request))
    svc = services(request)
    current = await _current(svc)
    if values["configuration"] is not None:
        servers = changes.v1_servers(values["configuration"], current)
    else:
        servers = current.servers
        if values["enable"] and not servers:
            raise InvalidRequest("configuration is required: there is no LDAP configuration yet")
    return await _switch(request, svc, values["enable"], servers)


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
    request_fields=changes.V2_FIELDS,
    more_responses={"409": _UNREACHABLE},
    **_WRITE,
)
async def put_ldap_v2(request: Request, caller: Caller) -> Response:
    values = changes.V2_FIELDS.read(await read_json_object(request))
    svc = services(request)
    current = await _current(svc)
    listed = values[changes.SERVER_LIST]
    servers = current.servers if listed is None else changes.v2_servers(listed, current)
    if values["enabled"] and not servers:
        raise InvalidRequest(f"{changes.SERVER_LIST} needs at least one LDAP configuration")
    return await _switch(request, svc, values["enabled"], servers)


@endpoints.loop_route(
    "POST",
    SERVERS,
    summary="Add an LDAP server configuration at the end of the list; its id is in Location",
    status=201,
    request_fields=SERVER_FIELDS,
    more_responses={"409": f"{_UNREACHABLE}; or ILLEGAL_STATE: {MAX_SERVERS} servers already"},
    **_WRITE,
)
async def post_server(request: Request, caller: Caller) -> Response:
    given = read_server(await read_json_object(request))
    server = given.server(server_id="", previous=None)  # an id in the body is not the client's
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
            save(store, replace(now, servers=(*now.servers, added)))
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
    request_fields=SERVER_FIELDS,
    more_responses={"409": _UNREACHABLE},
    **_WRITE,
)
async def put_server(request: Request, caller: Caller) -> Response:
    server_id = request.path_params["id"]
    data = await read_json_object(request)
    svc = services(request)
    current = await _current(svc)
    previous = current.servers[_position_of(current, server_id)]
    given = read_server(data)
    if given.given_id is not None and given.given_id != server_id:
        raise InvalidRequest(
            f"id {given.given_id} in the body differs from the id {server_id} of the path"
        )
    server = given.server(server_id=server_id, previous=previous)
    if current.active:
        await _check_reachable(svc, (server,))

    def write() -> None:
        store = svc.instance.store
        with store.transaction():
            now = load(store)
            position = _position_of(now, server_id)
            servers = list(now.servers)
            servers[position] = server
            save(store, replace(now, servers=tuple(servers)))

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
            save(store, replace(now, servers=remaining))

    await svc.store_thread.run(write)
    audit(request, "ldap.server.deleted", id=server_id)
    return empty_response()


@endpoints.loop_route(
    "POST",
    f"{SERVERS}/{{id}}/move",
    summary="Move one LDAP server configuration to a position in the list (0 is first)",
    status=204,
    request_fields=changes.MOVE_FIELDS,
    **_WRITE,
)
async def move_server(request: Request, caller: Caller) -> Response:
    server_id = request.path_params["id"]
    position = changes.MOVE_FIELDS.read(await read_json_object(request))["position"]
    svc = services(request)

    def write() -> int:
        store = svc.instance.store
        with store.transaction():
            now = load(store)
            old = _position_of(now, server_id)
            # The last position there is, known only now.
            new = as_int(position, "position", minimum=0, maximum=len(now.servers) - 1)
            servers = list(now.servers)
            servers.insert(new, servers.pop(old))
            save(store, replace(now, servers=tuple(servers)))
            return new

    new_position = await svc.store_thread.run(write)
    audit(request, "ldap.server.moved", id=server_id, position=new_position)
    return empty_response()

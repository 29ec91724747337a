"""Allowed clients and blocked client users of a system mapping (2.14+)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_body
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_SUBACCOUNT, base_of, store_of
from openscc.api.routes.configuration.system_mappings import ONE as MAPPING
from openscc.api.routes.configuration.system_mappings import mapping_of
from openscc.config.access_control import (
    BLOCKED_USERS_SCHEMA,
    CLIENTS_SCHEMA,
    client_text,
    merge_users,
    parse_blocked_users,
    parse_clients,
)
from openscc.config.system_mappings import mapping_path
from openscc.errors import NotFound
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
CLIENTS = f"{MAPPING}/allowedClients"
USERS = f"{MAPPING}/blockedClientUsers"
_CLIENTS_SCHEMA = {"type": "array", "items": {"type": "string"}}
_USERS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"client": {"type": "string"}, "user": {"type": "string"}},
    },
}


def _change(request: Request, field: str, change: Callable[[list[Any]], list[Any]]) -> EntityRecord:
    """Apply ``change`` to one list of the mapping's body, atomically."""
    store = store_of(request)
    with store.transaction():
        _sa, mapping = mapping_of(request)
        body = {**mapping.body, field: change(list(mapping.body.get(field, [])))}
        store.update_body(mapping.kind, mapping.key, body)
    return mapping


def _location(request: Request, suffix: str) -> str:
    sa, mapping = mapping_of(request)
    return base_of(request) + mapping_path(sa.body, mapping.body) + suffix


@endpoints.route(
    "GET",
    CLIENTS,
    summary="Allowed ABAP clients (empty: all allowed)",
    response_schema=_CLIENTS_SCHEMA,
    **READ,
)
def get_clients(request: ReadRequest, caller: Caller) -> Response:
    return json_response(list(mapping_of(request)[1].body.get("allowedClients", [])))


@endpoints.route(
    "POST",
    CLIENTS,
    summary="Replace the allowed clients",
    status=201,
    request_schema=CLIENTS_SCHEMA,
    **WRITE_SUBACCOUNT,
)
def set_clients(request: ReadRequest, caller: Caller) -> Response:
    clients = parse_clients(json_body(request))
    _change(request, "allowedClients", lambda _old: clients)
    return created(_location(request, "/allowedClients"))


@endpoints.route(
    "PATCH",
    CLIENTS,
    summary="Add allowed clients (duplicates ignored)",
    status=204,
    request_schema=CLIENTS_SCHEMA,
    **WRITE_SUBACCOUNT,
)
def add_clients(request: ReadRequest, caller: Caller) -> Response:
    clients = parse_clients(json_body(request))
    _change(request, "allowedClients", lambda old: list(dict.fromkeys([*old, *clients])))
    return empty_response()


@endpoints.route(
    "DELETE", CLIENTS, summary="Allow all clients again", status=204, **WRITE_SUBACCOUNT
)
def clear_clients(request: ReadRequest, caller: Caller) -> Response:
    _change(request, "allowedClients", lambda _old: [])
    return empty_response()


@endpoints.route(
    "DELETE",
    f"{CLIENTS}/{{client}}",
    summary="Remove one allowed client",
    status=204,
    # Two pages document it: the access-control page leaves the Associate Administrator out,
    # the system-mapping page (and every other access-control change) lists it; openscc
    # follows the latter.
    **WRITE_SUBACCOUNT,
)
def remove_client(request: ReadRequest, caller: Caller) -> Response:
    client = client_text(request.path_params["client"])

    def without(old: list[Any]) -> list[Any]:
        if client not in old:
            raise NotFound(f"Allowed client with value '{client}' does not exist")
        return [c for c in old if c != client]

    _change(request, "allowedClients", without)
    return empty_response()


@endpoints.route(
    "GET", USERS, summary="Blocked client users", response_schema=_USERS_SCHEMA, **READ
)
def get_users(request: ReadRequest, caller: Caller) -> Response:
    return json_response([dict(u) for u in mapping_of(request)[1].body.get("blacklistedUsers", [])])


@endpoints.route(
    "POST",
    USERS,
    summary="Replace the blocked client users",
    status=201,
    request_schema=BLOCKED_USERS_SCHEMA,
    **WRITE_SUBACCOUNT,
)
def set_users(request: ReadRequest, caller: Caller) -> Response:
    users = parse_blocked_users(json_body(request))
    _change(request, "blacklistedUsers", lambda _old: users)
    return created(_location(request, "/blockedClientUsers"))


@endpoints.route(
    "PATCH",
    USERS,
    summary="Add blocked client users (duplicates ignored)",
    status=204,
    request_schema=BLOCKED_USERS_SCHEMA,
    **WRITE_SUBACCOUNT,
)
def add_users(request: ReadRequest, caller: Caller) -> Response:
    users = parse_blocked_users(json_body(request))
    _change(request, "blacklistedUsers", lambda old: merge_users(old, users))
    return empty_response()


@endpoints.route(
    "DELETE", USERS, summary="Unblock all client users", status=204, **WRITE_SUBACCOUNT
)
def clear_users(request: ReadRequest, caller: Caller) -> Response:
    _change(request, "blacklistedUsers", lambda _old: [])
    return empty_response()


@endpoints.route(
    "DELETE",
    f"{USERS}/{{entry}}",
    summary="Unblock one client user (client:user)",
    status=204,
    **WRITE_SUBACCOUNT,
)
def remove_user(request: ReadRequest, caller: Caller) -> Response:
    client_part, _sep, user = request.path_params["entry"].partition(":")
    client = client_text(client_part)

    def without(old: list[Any]) -> list[Any]:
        kept = [u for u in old if not (u["client"] == client and u["user"].upper() == user.upper())]
        if len(kept) == len(old):
            raise NotFound(f"Blocked client user with value '{client}:{user}' does not exist")
        return kept

    _change(request, "blacklistedUsers", without)
    return empty_response()

"""The bodies that change the LDAP configuration as a whole: LDAP authentication on or off with
one server (API v1) or with the servers in order (API v2), and a server's move in that order."""

from __future__ import annotations

from typing import Any

from openscc.auth.ldap.servers import (
    SERVER_FIELDS,
    LdapServer,
    ServerRequest,
    located,
    nested_server,
)
from openscc.auth.ldap.store import MAX_SERVERS, LdapConfiguration
from openscc.config.values import Fields, Flag, Number, Structured
from openscc.errors import InvalidRequest

V1_FIELDS = Fields(
    Flag(name="enable", required=True),
    Structured(
        name="configuration",
        json_schema=SERVER_FIELDS.schema(),
        parser=nested_server,
        description="replaces the servers (API v1 knows one); absent: they stay",
    ),
)


def _server_list(value: Any, field_name: str) -> tuple[ServerRequest, ...]:
    if not isinstance(value, list):
        raise InvalidRequest(f"{field_name} must be a list of LDAP configurations")
    if len(value) > MAX_SERVERS:
        raise InvalidRequest(f"at most {MAX_SERVERS} LDAP servers can be configured")
    return tuple(nested_server(entry, f"{field_name}[{i}]") for i, entry in enumerate(value))


SERVER_LIST = "orderedLdapConfigurations"
V2_FIELDS = Fields(
    Flag(name="enabled", required=True),
    Structured(
        name=SERVER_LIST,
        json_schema={"type": "array", "items": SERVER_FIELDS.schema(), "maxItems": MAX_SERVERS},
        parser=_server_list,
        description="the servers in the order logons try them; absent: they stay",
    ),
)
MOVE_FIELDS = Fields(Number(name="position", required=True, minimum=0, description="0 is first"))


def v1_servers(request: ServerRequest, current: LdapConfiguration) -> tuple[LdapServer, ...]:
    """API v1 knows one server: the one given replaces the list, keeping the first one's id."""
    previous = current.servers[0] if current.servers else None
    with located("configuration"):
        return (request.server(server_id=previous.id if previous else "", previous=previous),)


def v2_servers(
    requests: tuple[ServerRequest, ...], current: LdapConfiguration
) -> tuple[LdapServer, ...]:
    """An entry with the id of a stored server changes that server (a missing or masked password
    keeps its password); others are new servers."""
    servers: list[LdapServer] = []
    for index, request in enumerate(requests):
        given = request.given_id
        previous = current.find(given) if given is not None else None
        server_id = previous.id if previous is not None else ""
        with located(f"{SERVER_LIST}[{index}]"):
            if server_id and any(s.id == server_id for s in servers):
                raise InvalidRequest(f"id {server_id} is given twice")
            servers.append(request.server(server_id=server_id, previous=previous))
    return tuple(servers)

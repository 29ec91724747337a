"""The high-availability API of SAP's pages: the master's settings and state, the shadow's
settings and state (CONNECT, DISCONNECT), and the reset of each.

Master calls on a shadow answer 400 and shadow calls on a master 403 FORBIDDEN_REQUEST, as the
pages say. The settings are each instance's own: a shadow may change them (they are not the
replicated configuration).
"""

from __future__ import annotations

import socket
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import OBJECT
from openscc.auth.roles import ADMIN_ONLY, EVERY_ROLE
from openscc.config.connector_state import ha_role
from openscc.config.values import Choice, Fields, Text
from openscc.errors import Conflict, InvalidRequest
from openscc.ha import settings
from openscc.ha import state as ha_state
from openscc.ha.checks import BINDING, CONNECTED, MASTER_STATES
from openscc.ha.peer import fingerprint
from openscc.ha.shadow import CONNECTED_STATES, INITIAL

endpoints = EndpointTable()
HA = "/api/v1/configuration/connector/ha"
_READ: dict[str, Any] = {"roles": EVERY_ROLE, "tag": "high availability"}
_WRITE: dict[str, Any] = {"roles": ADMIN_ONLY, "tag": "high availability"}
# A master refuses the shadow's calls with 403, as the page says (the guard's rule 5).
_SHADOW_READ: dict[str, Any] = {**_READ, "shadow_only": True}
_SHADOW_WRITE: dict[str, Any] = {**_WRITE, "shadow_only": True}
_MASTER_OPERATION = Fields(Choice(name="op", required=True, values=("SWITCH", "FORCE_SWITCH")))
_SHADOW_OPERATION = Fields(
    Choice(name="op", required=True, values=("CONNECT", "DISCONNECT")),
    Text(name="user", description="an administrator of the master: CONNECT the first time"),
    Text(name="password", secret=True),
    Text(name="masterCertificate", max_length=64 * 1024,
         description="PEM: the master's UI certificate, unless a public CA signed it"),
)  # fmt: skip


async def _role(svc: Services) -> str | None:
    return await svc.store_thread.run(ha_role, svc.instance.store)


async def _on_master(svc: Services) -> None:
    if await _role(svc) != "master":
        raise InvalidRequest("this API is only permitted on a master instance")


def _ui_port(svc: Services) -> int:
    return svc.ha.ui_port


async def _master_state(svc: Services) -> tuple[str, str]:
    return await svc.ha.master_state()


# The master


@endpoints.loop_route(
    "GET",
    f"{HA}/master/config",
    summary="The master's HA settings",
    response_schema=OBJECT,
    **_READ,
)
async def get_master_config(request: Request, caller: Caller) -> Response:
    svc = services(request)
    await _on_master(svc)
    current = await svc.store_thread.run(settings.master_settings, svc.instance.store)
    return json_response(current.view(_ui_port(svc)))


@endpoints.loop_route(
    "PUT",
    f"{HA}/master/config",
    summary="Allow a shadow to connect (haEnabled), from which host (allowedShadowHost, empty: "
    "any), on which port (haPort; a change applies at the next start)",
    status=204,
    request_fields=settings.MASTER_FIELDS,
    **_WRITE,
)
async def put_master_config(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    svc = services(request)
    await _on_master(svc)
    state, _host = await _master_state(svc)
    if state in (BINDING, CONNECTED):
        raise Conflict("the HA settings cannot change while a shadow is connected")
    store = svc.instance.store

    def change() -> None:
        with store.transaction():
            current = settings.master_settings(store)
            settings.save_master(store, settings.parse_master(data, current, _ui_port(svc)))

    await svc.store_thread.run(change)
    return empty_response()


@endpoints.loop_route(
    "GET",
    f"{HA}/master/state",
    summary="The master's state (ALONE, BINDING, CONNECTED, BROKEN) and its shadow's host",
    response_schema={
        "type": "object",
        "properties": {
            "state": {"type": "string", "enum": list(MASTER_STATES)},
            "shadowHost": {"type": "string"},
        },
    },
    **_READ,
)
async def get_master_state(request: Request, caller: Caller) -> Response:
    svc = services(request)
    await _on_master(svc)
    state, host = await _master_state(svc)
    return json_response({"state": state, "shadowHost": host})


@endpoints.loop_route(
    "POST",
    f"{HA}/master/state",
    summary="SWITCH roles with the connected shadow; FORCE_SWITCH: become the shadow even if "
    "the shadow does not answer",
    status=204,
    request_fields=_MASTER_OPERATION,
    **_WRITE,
)
async def post_master_state(request: Request, caller: Caller) -> Response:
    op = _MASTER_OPERATION.read(await read_json_object(request))["op"]
    svc = services(request)
    await _on_master(svc)
    if op == "SWITCH":
        state, _host = await _master_state(svc)
        if state != CONNECTED:
            raise Conflict(f"no shadow is connected to switch roles with (state {state})")
    await svc.ha.switch(force=op == "FORCE_SWITCH")
    return empty_response()


@endpoints.loop_route(
    "DELETE",
    f"{HA}/master/state",
    summary="Reset the master's HA settings (not while a shadow is connected)",
    status=204,
    **_WRITE,
)
async def reset_master(request: Request, caller: Caller) -> Response:
    svc = services(request)
    await _on_master(svc)
    state, _host = await _master_state(svc)
    if state in (BINDING, CONNECTED):
        raise Conflict("a shadow instance is connected to the master")

    def reset() -> None:
        settings.reset_master(svc.instance.store)
        ha_state.forget_pair(svc.instance)

    await svc.store_thread.run(reset)
    svc.ha.master.unbound()
    return empty_response()


# The shadow


@endpoints.loop_route(
    "GET",
    f"{HA}/shadow/config",
    summary="The shadow's HA settings",
    response_schema=OBJECT,
    **_SHADOW_READ,
)
async def get_shadow_config(request: Request, caller: Caller) -> Response:
    svc = services(request)
    current = await svc.store_thread.run(settings.shadow_settings, svc.instance.store)
    return json_response(current.view(_ui_port(svc)))


@endpoints.loop_route(
    "PUT",
    f"{HA}/shadow/config",
    summary="Where the master is, this shadow's host and HA port, and the check interval, "
    "takeover delay and timeouts",
    request_fields=settings.SHADOW_FIELDS,
    response_schema=OBJECT,
    **_SHADOW_WRITE,
)
async def put_shadow_config(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    svc = services(request)
    store = svc.instance.store
    connected = svc.ha.status.state in CONNECTED_STATES

    def change() -> settings.ShadowSettings:
        with store.transaction():
            current = settings.shadow_settings(store)
            new = settings.parse_shadow(data, current, _ui_port(svc))
            moved = (new.master_host, new.master_port) != (current.master_host, current.master_port)
            if connected and moved:
                raise Conflict("the master cannot change while the shadow is connected")
            settings.save_shadow(store, new)
            return new

    new = await svc.store_thread.run(change)
    svc.ha.wake()
    return json_response(new.view(_ui_port(svc)))


def _own_hosts() -> list[str]:
    names = [socket.getfqdn(), socket.gethostname()]
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            names.append(str(info[4][0]))
    except OSError:
        pass
    return list(dict.fromkeys(n for n in names if n))


@endpoints.loop_route(
    "GET",
    f"{HA}/shadow/state",
    summary="The shadow's state (INITIAL, DISCONNECTED, DISCONNECTING, HANDSHAKE, INITSYNC, READY, "
    "LOST), its host names, and the master's version",
    response_schema=OBJECT,
    **_SHADOW_READ,
)
async def get_shadow_state(request: Request, caller: Caller) -> Response:
    svc = services(request)
    hosts = await svc.workers.run(_own_hosts)
    current = await svc.store_thread.run(ha_state.read_pair, svc.instance)
    pinned = fingerprint(current.peer_certificates[0]) if current is not None else ""
    return json_response(svc.ha.link.view(hosts, pinned))


@endpoints.loop_route(
    "POST",
    f"{HA}/shadow/state",
    summary="CONNECT to the master (user and password the first time; masterCertificate, the "
    "master's UI certificate, to verify it: without, the certificate the master presents is "
    "trusted on first use and pinned) or DISCONNECT",
    status=204,
    request_fields=_SHADOW_OPERATION,
    more_responses={"500": "RUNTIME_FAILURE: the master cannot be reached or verified"},
    **_SHADOW_WRITE,
)
async def post_shadow_state(request: Request, caller: Caller) -> Response:
    values = _SHADOW_OPERATION.read(await read_json_object(request))
    svc = services(request)
    current = await svc.store_thread.run(settings.shadow_settings, svc.instance.store)
    state = svc.ha.status.state
    if values["op"] == "DISCONNECT":
        if state not in CONNECTED_STATES:
            raise Conflict(f"the shadow is not connected (state {state})")
        await svc.ha.disconnect(current)
        return empty_response()
    if state in CONNECTED_STATES:
        raise Conflict(f"the shadow is already connected (state {state})")
    await svc.ha.connect(
        current, values["user"] or None, values["password"], values["masterCertificate"] or None
    )
    return empty_response()


@endpoints.loop_route(
    "DELETE",
    f"{HA}/shadow/state",
    summary="Reset: forget the master (not while connected)",
    status=204,
    **_SHADOW_WRITE,
)
async def reset_shadow(request: Request, caller: Caller) -> Response:
    svc = services(request)
    if svc.ha.status.state in CONNECTED_STATES:
        raise Conflict("the shadow is currently connected to a master")

    def reset() -> None:
        settings.reset_shadow(svc.instance.store)
        ha_state.forget_pair(svc.instance)

    await svc.store_thread.run(reset)
    svc.ha.link.reset(INITIAL)
    return empty_response()

"""The monitoring API (``/api/monitoring/...``), the health and master-role checks
(``/exposed?action=...``), and the Prometheus metrics (``/metrics``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable, LoopHandler
from openscc.api.http.responses import json_response
from openscc.api.routes.configuration.common import base_of, cloud_of
from openscc.auth.roles import ADMIN, EVERY_ROLE, MONITORING
from openscc.cloud import ChannelState
from openscc.config import alerting
from openscc.config.certificate_inventory import Held, held_certificates
from openscc.errors import Conflict, InvalidRequest, NotFound
from openscc.monitoring import views
from openscc.store.entities import EntityStore

endpoints = EndpointTable()
MONITORING_PATH = "/api/monitoring"
EXPOSED_PATH = "/exposed"
# The page: "Users must be assigned to the roles sccmonitoring or sccadmin."
MONITORS = frozenset({ADMIN, MONITORING})
READ: dict[str, Any] = {"roles": MONITORS, "tag": "monitoring", "needs_ha_role": False}
_OBJECT: dict[str, Any] = {"type": "object"}
_ARRAY: dict[str, Any] = {"type": "array", "items": _OBJECT}
_SUBACCOUNTS: dict[str, Any] = {
    "type": "object",
    "properties": {"subaccounts": _ARRAY, "version": {"type": "integer"}},
    "required": ["subaccounts", "version"],
}
_SPLIT = {
    "type": "object",
    "properties": {
        name: {"type": "integer"} for name in ("total", "CloudConnector", "others", "free")
    },
    "required": ["total", "CloudConnector", "others", "free"],
}
_CERTIFICATE_LISTS = {
    "type": "object",
    "properties": dict.fromkeys(views.SELECTIONS, _ARRAY),
    "required": list(views.SELECTIONS),
}


def _configuration(store: EntityStore) -> list[views.Subaccount]:
    """In the store thread: every readable subaccount with its mappings, resources, channels."""
    damaged = set(store.unreadable(kinds.SUBACCOUNT))
    found = []
    for sa in store.children(kinds.SUBACCOUNT, None):
        if sa.key in damaged:
            continue
        mappings = [
            views.Mapping(
                body=m.body, resources=[r.body for r in store.children(kinds.RESOURCE, m.key)]
            )
            for m in store.children(kinds.SYSTEM_MAPPING, sa.key)
        ]
        channels = [c.body for c in store.children(kinds.CHANNEL, sa.key)]
        found.append(views.Subaccount(body=sa.body, mappings=mappings, channels=channels))
    return found


async def _subaccounts(request: Request) -> list[views.Subaccount]:
    svc = services(request)
    return await svc.store_thread.run(_configuration, svc.instance.store)


def _channel_states(request: Request) -> views.ChannelStates:
    cloud = cloud_of(request)

    def state(sa: dict[str, Any], channel: dict[str, Any]) -> ChannelState | None:
        if not channel["enabled"]:
            return None
        return cloud.channel_state(
            sa["regionHost"], sa["subaccount"], f"{channel['type']} channel {channel['id']}"
        )

    return state


def _monitoring(
    path: str, summary: str, schema: dict[str, Any]
) -> Callable[[LoopHandler], LoopHandler]:
    """A monitoring endpoint; a camel-case path is served in lower case too, the spelling
    older releases used (/performance/toptimeconsumers) and agents written for them send."""

    def register(handler: LoopHandler) -> LoopHandler:
        spellings = dict.fromkeys([path, path.lower()])
        for spelling in spellings:
            note = "" if spelling == path else f" (older releases' spelling of {path})"
            endpoints.loop_route(
                "GET", f"{MONITORING_PATH}{spelling}", summary=summary + note,
                response_schema=schema, **READ,
            )(handler)  # fmt: skip
        return handler

    return register


@_monitoring(
    "/subaccounts", "Each subaccount with its tunnel (openscc's: never connected)", _SUBACCOUNTS
)
async def subaccounts(request: Request, caller: Caller) -> Response:
    items = await _subaccounts(request)
    return json_response(views.subaccounts(base_of(request), items, _channel_states(request)))


@_monitoring(
    "/connections/backends",
    "Open connections to back-end systems (none: openscc has no tunnel)",
    _SUBACCOUNTS,
)
async def backend_connections(request: Request, caller: Caller) -> Response:
    return json_response(views.backend_connections(await _subaccounts(request)))


@_monitoring(
    "/connections/serviceChannels",
    "Open connections of the enabled service channels, as the tunnel reports them",
    _SUBACCOUNTS,
)
async def channel_connections(request: Request, caller: Caller) -> Response:
    items = await _subaccounts(request)
    return json_response(views.channel_connections(items, _channel_states(request)))


@_monitoring(
    "/performance/backends",
    "The performance monitor: calls per duration bucket of each back end (zero traffic)",
    _SUBACCOUNTS,
)
async def backend_performance(request: Request, caller: Caller) -> Response:
    items = await _subaccounts(request)
    return json_response(views.backend_performance(items, services(request).started_ms))


@_monitoring(
    "/performance/topTimeConsumers",
    "The slowest requests (none: openscc carries no traffic)",
    _SUBACCOUNTS,
)
async def top_time_consumers(request: Request, caller: Caller) -> Response:
    items = await _subaccounts(request)
    return json_response(views.top_time_consumers(items, services(request).started_ms))


@_monitoring(
    "/usage",
    "Usage of each back end, resource and service channel (zero traffic)",
    _SUBACCOUNTS,
)
async def usage(request: Request, caller: Caller) -> Response:
    items = await _subaccounts(request)
    return json_response(views.usage(items, services(request).started_ms))


@_monitoring(
    "/memory",
    "Physical and virtual memory (KB): total, openscc's, others', free; and openscc's process",
    {
        "type": "object",
        "properties": {
            "physicalKB": _SPLIT,
            "virtualKB": _SPLIT,
            "cloudConnectorHeapKB": _OBJECT,
        },
        "required": ["physicalKB", "virtualKB", "cloudConnectorHeapKB"],
    },
)
async def memory(request: Request, caller: Caller) -> Response:
    system = services(request).system

    def read() -> dict[str, Any]:
        return views.memory(
            system.physical_memory(), system.virtual_memory(), system.process_memory()
        )

    return json_response(await services(request).workers.run(read))


@_monitoring("/disk", "The data directory's disk (MB): total, openscc's, others', free", _SPLIT)
async def disk(request: Request, caller: Caller) -> Response:
    # Sizing the data directory reads the file system: in a worker.
    return json_response(
        views.disk(await services(request).workers.run(services(request).system.disk))
    )


@_monitoring(
    "/cpu",
    "CPU usage (percent) of the machine and of openscc, since the last reading",
    {
        "type": "object",
        "properties": {"total": {"type": "number"}, "CloudConnector": {"type": "number"}},
        "required": ["total", "CloudConnector"],
    },
)
async def cpu(request: Request, caller: Caller) -> Response:
    return json_response(
        views.cpu(*await services(request).workers.run(services(request).system.cpu))
    )


def _held(store: EntityStore) -> tuple[list[Held], int]:
    """In the store thread: the certificates and the alerting configuration's days."""
    return held_certificates(store), alerting.certificate_days(alerting.current(store))


async def _certificate_lists(request: Request) -> dict[str, list[dict[str, Any]]]:
    svc = services(request)
    held, days = await svc.store_thread.run(_held, svc.instance.store)
    # ?trustStores=true adds openscc's TrustedBackend and TrustedEmailServer certificates.
    trust_stores = request.query_params.get("trustStores", "").lower() == "true"
    return views.certificates(held, int(time.time() * 1000), days, trust_stores=trust_stores)


@_monitoring(
    "/certificates",
    "Every certificate openscc holds: expired, expiring (alerting's days), ok",
    _CERTIFICATE_LISTS,
)
async def certificates(request: Request, caller: Caller) -> Response:
    return json_response(await _certificate_lists(request))


@_monitoring(
    "/certificates/{selection}",
    "The certificates of one list: expired, expiring or ok",
    _ARRAY,
)
async def certificate_selection(request: Request, caller: Caller) -> Response:
    selection = request.path_params["selection"]
    if selection not in views.SELECTIONS:
        raise NotFound(
            f"no certificate selection {selection[:64]!r}: use one of {', '.join(views.SELECTIONS)}"
        )
    return json_response((await _certificate_lists(request))[selection])


@_monitoring(
    "/alerts",
    "The alerts openscc raised (the latest 500, since the server started), oldest first",
    {
        "type": "object",
        "properties": {"alerts": _ARRAY, "version": {"type": "integer"}},
        "required": ["alerts", "version"],
    },
)
async def alerts(request: Request, caller: Caller) -> Response:
    recent = services(request).alerts.recent()
    return json_response({"alerts": [a.to_json() for a in recent], "version": views.API_VERSION})


# The health and master-role checks: no credentials, as documented.

_ACTIONS = ("ping", "hasMasterRole", "ensureMasterRole")


async def _is_master(svc: Services) -> bool:
    # Without high availability set up, an instance answers from its own HA role.
    role = await svc.lookups.ha_role()
    return role == "master"


@endpoints.loop_route(
    "GET",
    EXPOSED_PATH,
    summary="Health check (action=ping), master role check (action=hasMasterRole, or "
    "ensureMasterRole: 409 unless master); no credentials needed",
    public=True,
    roles=EVERY_ROLE,
    tag="monitoring",
    needs_ha_role=False,
    before_initial_password=True,
    query=(
        {
            "name": "action",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "enum": list(_ACTIONS)},
        },
    ),
    response_schema={"type": "boolean"},
    more_responses={
        "200": {
            "description": "ping: an empty text; the master role checks: true or false",
            "content": {
                "text/plain": {"schema": {"type": "string", "maxLength": 0}},
                "application/json": {"schema": {"type": "boolean"}},
            },
        },
        "409": "ILLEGAL_STATE: ensureMasterRole on an instance that is not master",
    },
)
async def exposed(request: Request, caller: Caller) -> Response:
    action = request.query_params.get("action", "")
    svc = services(request)
    if action == "ping":
        return Response(b"", media_type="text/plain", headers={"Cache-Control": "no-store"})
    if action == "hasMasterRole":
        return json_response(await _is_master(svc))
    if action == "ensureMasterRole":
        if not await _is_master(svc):
            role = await svc.lookups.ha_role()
            raise Conflict(f"this instance is not in the master role (its role: {role or 'none'})")
        return json_response(True)
    raise InvalidRequest(f"action must be one of {', '.join(_ACTIONS)}")

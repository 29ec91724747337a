"""Service channels of a subaccount (K8S, ABAPCloud, ABAPCloudSNC, HANA, VirtualMachine), the
channels SAP BTP offers, and the obsolete generic form of the channel API."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.common import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_SUBACCOUNT,
    audit,
    base_of,
    cloud_of,
    required_boolean,
    store_of,
)
from openscc.api.routes.configuration.system_mappings import SUBACCOUNT, subaccount_of
from openscc.cloud import ChannelState
from openscc.config import channels as model
from openscc.config import paths
from openscc.config.sequences import next_value
from openscc.config.values import as_bool, required
from openscc.errors import InvalidRequest, NotFound
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
ALL = f"{SUBACCOUNT}/channels"
LIST = f"{ALL}/{{type}}"
ONE = f"{LIST}/{{id}}"
_STATE_SCHEMA = required_boolean("enabled")
# The obsolete generic form addresses one channel as channels/<id>, where the typed form has
# channels/<type>: one route serves both, told apart by the segment being a number.
_LIST_OR_ONE: dict[str, Any] = {"oneOf": [ARRAY_OF_OBJECTS, OBJECT]}
_GENERIC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "typeKey": {"type": "string", "enum": list(model.GENERIC_KEYS.values())},
        "details": {"type": "string"},
        "serviceNumber": {"type": ["integer", "string"]},
        "connectionCount": {"type": ["integer", "string"]},
    },
    "required": ["typeKey", "details", "serviceNumber"],
}
_NO_TUNNEL = {"500": "RUNTIME_FAILURE: SAP BTP cannot be reached to list what it offers"}


def _sa_path(sa: EntityRecord) -> str:
    return paths.subaccount_path(sa.body["regionHost"], sa.body["subaccount"])


def _cloud_name(body: dict[str, Any]) -> str:
    """How a channel is named to the tunnel."""
    return f"{body['type']} channel {body['id']}"


def _state(request: Request, sa: EntityRecord, body: dict[str, Any]) -> ChannelState | None:
    if not body["enabled"]:
        return None
    return cloud_of(request).channel_state(
        sa.body["regionHost"], sa.body["subaccount"], _cloud_name(body)
    )


def _by_number(request: Request, sa: EntityRecord, text: str) -> EntityRecord:
    record = (
        store_of(request).get(kinds.CHANNEL, kinds.channel_key(sa.key, int(text)))
        if text.isdigit()
        else None
    )
    if record is None:
        raise NotFound(f"Service channel with value '{text[:64]}' does not exist")
    return record


def _channel(request: Request) -> tuple[EntityRecord, EntityRecord]:
    kind = model.channel_type(request.path_params["type"])
    sa = subaccount_of(request)
    text = request.path_params["id"]
    record = _by_number(request, sa, text)
    if record.body["type"] != kind:
        raise NotFound(f"Service channel with value '{text[:64]}' does not exist")
    return sa, record


def _add(store: Any, sa: EntityRecord, kind: str, fields: dict[str, Any]) -> int:
    """Store a new channel (disabled) under the next number; call inside a transaction."""
    number = next_value(store, kinds.CHANNEL)
    body = {**fields, "id": number, "type": kind, "enabled": False}
    store.put(
        EntityRecord(
            kind=kinds.CHANNEL, key=kinds.channel_key(sa.key, number), parent=sa.key, body=body
        )
    )
    return number


@endpoints.route(
    "GET",
    ALL,
    summary="All the subaccount's service channels (obsolete generic form)",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
)
def list_all_channels(request: ReadRequest, caller: Caller) -> Response:
    sa = subaccount_of(request)
    records = store_of(request).children(kinds.CHANNEL, sa.key)
    return json_response([model.generic_view(r.body, _state(request, sa, r.body)) for r in records])


async def _generic_fields(
    request: Request, sa: EntityRecord, kind: str, data: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """A typed channel body from a generic request; a virtual machine's endpoint ID is looked up
    by its name among those SAP BTP offers (the generic form has only the name)."""
    typed = model.from_generic(kind, data)
    if kind == model.VIRTUAL_MACHINE:
        name = typed["name"]
        if name == current.get("name") and current.get("endpointId"):
            typed["endpointId"] = current["endpointId"]
        else:
            offered = await services(request).workers.run(
                cloud_of(request).available_channels,
                sa.body["regionHost"],
                sa.body["subaccount"],
                kind,
            )
            found = [vm["endpointId"] for vm in offered if vm.get("name") == name]
            if not found:
                raise InvalidRequest(f"SAP BTP offers no virtual machine named {str(name)[:64]!r}")
            typed["endpointId"] = found[0]
    return model.parse(kind, typed, current or None)


@endpoints.loop_route(
    "POST",
    ALL,
    summary="Add a service channel (obsolete generic form: typeKey HANA_DB, HCPVM or RFC)",
    status=201,
    request_schema=_GENERIC_SCHEMA,
    **WRITE_SUBACCOUNT,
    more_responses=_NO_TUNNEL,
)
async def create_generic_channel(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    kind = model.generic_type(data)
    svc = services(request)
    store = svc.instance.store
    sa = await svc.store_thread.run(subaccount_of, request)
    fields = await _generic_fields(request, sa, kind, data, {})

    def add() -> tuple[EntityRecord, int]:
        with store.transaction():
            current = subaccount_of(request)
            return current, _add(store, current, kind, fields)

    sa, number = await svc.store_thread.run(add)
    audit(request, "channel.created", subaccount=sa.body["subaccount"], channel=number, type=kind)
    return created(base_of(request) + f"{_sa_path(sa)}/channels/{number}")


@endpoints.loop_route(
    "PUT",
    LIST,
    summary="Replace a service channel (obsolete generic form: the segment is the channel's id)",
    status=204,
    request_schema=_GENERIC_SCHEMA,
    **WRITE_SUBACCOUNT,
    more_responses=_NO_TUNNEL,
)
async def replace_generic_channel(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    svc = services(request)
    store = svc.instance.store
    text = request.path_params["type"]

    def find() -> tuple[EntityRecord, EntityRecord]:
        sa = subaccount_of(request)
        return sa, _by_number(request, sa, text)

    sa, record = await svc.store_thread.run(find)
    kind = record.body["type"]
    if model.generic_type(data) != kind:
        raise InvalidRequest(f"typeKey must stay {model.GENERIC_KEYS.get(kind, kind)}")
    fields = await _generic_fields(request, sa, kind, data, record.body)

    def replace() -> None:
        with store.transaction():
            _sa, current = find()
            store.update_body(current.kind, current.key, {**model.upgraded(current.body), **fields})

    await svc.store_thread.run(replace)
    audit(request, "channel.updated", subaccount=sa.body["subaccount"], channel=record.body["id"])
    return empty_response()


@endpoints.route(
    "DELETE",
    ALL,
    summary="Remove all the subaccount's service channels",
    status=204,
    **WRITE_SUBACCOUNT,
)
def delete_all_channels(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        removed = store.delete_children(kinds.CHANNEL, sa.key)
    audit(request, "channel.deleted_all", subaccount=sa.body["subaccount"], channels=removed)
    return empty_response()


@endpoints.route(
    "DELETE",
    LIST,
    summary="Remove all the subaccount's service channels of one type",
    status=204,
    **WRITE_SUBACCOUNT,
)
def delete_channels_of_type(request: ReadRequest, caller: Caller) -> Response:
    kind = model.channel_type(request.path_params["type"])
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        doomed = [r for r in store.children(kinds.CHANNEL, sa.key) if r.body["type"] == kind]
        for record in doomed:
            store.delete(record.kind, record.key)
    audit(
        request,
        "channel.deleted_all",
        subaccount=sa.body["subaccount"],
        type=kind,
        channels=len(doomed),
    )
    return empty_response()


async def _available(request: Request, kind: str) -> Response:
    svc = services(request)
    sa = await svc.store_thread.run(subaccount_of, request)
    offered = await svc.workers.run(
        svc.cloud.available_channels, sa.body["regionHost"], sa.body["subaccount"], kind
    )
    return json_response(offered)


@endpoints.loop_route(
    "GET",
    f"{SUBACCOUNT}/availableChannels/HANA",
    summary="The HANA instances SAP BTP offers for a channel",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
    more_responses=_NO_TUNNEL,
)
async def available_hana(request: Request, caller: Caller) -> Response:
    return await _available(request, model.HANA)


@endpoints.loop_route(
    "GET",
    f"{SUBACCOUNT}/availableChannels/VirtualMachine",
    summary="The virtual machines SAP BTP offers for a channel",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
    more_responses=_NO_TUNNEL,
)
async def available_virtual_machines(request: Request, caller: Caller) -> Response:
    return await _available(request, model.VIRTUAL_MACHINE)


@endpoints.route(
    "GET",
    LIST,
    summary="The subaccount's service channels of one type; with a number instead of a type, "
    "that channel in the obsolete generic form",
    response_schema=_LIST_OR_ONE,
    **READ,
)
def list_channels(request: ReadRequest, caller: Caller) -> Response:
    segment = request.path_params["type"]
    sa = subaccount_of(request)
    if segment.isdigit():
        record = _by_number(request, sa, segment)
        return json_response(model.generic_view(record.body, _state(request, sa, record.body)))
    kind = model.channel_type(segment)
    base, sa_path = base_of(request), _sa_path(sa)
    records = store_of(request).children(kinds.CHANNEL, sa.key)
    return json_response(
        [
            model.view(base, sa_path, r.body, _state(request, sa, r.body))
            for r in records
            if r.body["type"] == kind
        ]
    )


@endpoints.route(
    "POST",
    LIST,
    summary="Add a service channel (created disabled)",
    status=201,
    request_schema=OBJECT,
    **WRITE_SUBACCOUNT,
)
def create_channel(request: ReadRequest, caller: Caller) -> Response:
    kind = model.channel_type(request.path_params["type"])
    fields = model.parse(kind, json_object(request))
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        number = _add(store, sa, kind, fields)
    audit(
        request,
        "channel.created",
        subaccount=sa.body["subaccount"],
        channel=number,
        type=kind,
    )
    return created(base_of(request) + paths.channel_path(_sa_path(sa), kind, number))


@endpoints.route("GET", ONE, summary="One service channel", response_schema=OBJECT, **READ)
def get_channel(request: ReadRequest, caller: Caller) -> Response:
    sa, record = _channel(request)
    state = _state(request, sa, record.body)
    return json_response(model.view(base_of(request), _sa_path(sa), record.body, state))


@endpoints.route(
    "PUT",
    ONE,
    summary="Change a service channel",
    status=204,
    request_schema=OBJECT,
    **WRITE_SUBACCOUNT,
)
def update_channel(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        _sa, record = _channel(request)
        body = {
            **model.upgraded(record.body),
            **model.parse(record.body["type"], data, record.body),
        }
        store.update_body(record.kind, record.key, body)
    return empty_response()


@endpoints.route("DELETE", ONE, summary="Remove a service channel", status=204, **WRITE_SUBACCOUNT)
def delete_channel(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        _sa, record = _channel(request)
        store.delete(record.kind, record.key)
    return empty_response()


@endpoints.route(
    "PUT",
    f"{ONE}/state",
    summary="Open (enabled: true) or close a service channel",
    status=204,
    request_schema=_STATE_SCHEMA,
    **WRITE_SUBACCOUNT,
    more_responses={
        "500": "RUNTIME_FAILURE: the channel cannot be opened (no tunnel "
        "to SAP BTP); it stays disabled"
    },
)
def put_channel_state(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    enable = as_bool(required(data, "enabled"), "enabled")
    sa, record = _channel(request)
    if enable:
        # Opening needs the tunnel; the offline cloud raises 500 RUNTIME_FAILURE, as the product
        # answers when a channel cannot be opened, and the channel stays disabled.
        cloud_of(request).open_channel(
            sa.body["regionHost"],
            sa.body["subaccount"],
            _cloud_name(record.body),
        )
    store = store_of(request)
    with store.transaction():
        _sa, current = _channel(request)
        store.update_body(current.kind, current.key, {**current.body, "enabled": enable})
    return empty_response()

"""Service channels of a subaccount (K8S, ABAPCloud, ABAPCloudSNC, HANA, VirtualMachine) and the
channels SAP BTP offers; the obsolete generic form of the channel API is in ``generic_channels``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration import generic_channels
from openscc.api.routes.configuration.channel_records import (
    ALL,
    LIST,
    NO_TUNNEL,
    ONE,
    add,
    by_number,
    cloud_name,
    sa_path,
    state_of,
    typed_channel,
)
from openscc.api.routes.configuration.common import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_SUBACCOUNT,
    audit,
    base_of,
    cloud_of,
    store_of,
)
from openscc.api.routes.configuration.system_mappings import SUBACCOUNT, subaccount_of
from openscc.config import channels as model
from openscc.config import paths

endpoints = EndpointTable()
endpoints.extend(generic_channels.endpoints)
_LIST_OR_ONE: dict[str, Any] = {"oneOf": [ARRAY_OF_OBJECTS, OBJECT]}


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
    more_responses=NO_TUNNEL,
)
async def available_hana(request: Request, caller: Caller) -> Response:
    return await _available(request, model.HANA)


@endpoints.loop_route(
    "GET",
    f"{SUBACCOUNT}/availableChannels/VirtualMachine",
    summary="The virtual machines SAP BTP offers for a channel",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
    more_responses=NO_TUNNEL,
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
        record = by_number(request, sa, segment)
        return json_response(model.generic_view(record.body, state_of(request, sa, record.body)))
    kind = model.channel_type(segment)
    base, path = base_of(request), sa_path(sa)
    records = store_of(request).children(kinds.CHANNEL, sa.key)
    return json_response(
        [
            model.view(base, path, r.body, state_of(request, sa, r.body))
            for r in records
            if r.body["type"] == kind
        ]
    )


@endpoints.route(
    "POST",
    LIST,
    summary="Add a service channel (created disabled)",
    status=201,
    request_fields=model.FIELDS,
    **WRITE_SUBACCOUNT,
)
def create_channel(request: ReadRequest, caller: Caller) -> Response:
    kind = model.channel_type(request.path_params["type"])
    fields = model.parse(kind, json_object(request))
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        number = add(store, sa, kind, fields)
    audit(
        request,
        "channel.created",
        subaccount=sa.body["subaccount"],
        channel=number,
        type=kind,
    )
    return created(base_of(request) + paths.channel_path(sa_path(sa), kind, number))


@endpoints.route("GET", ONE, summary="One service channel", response_schema=OBJECT, **READ)
def get_channel(request: ReadRequest, caller: Caller) -> Response:
    sa, record = typed_channel(request)
    state = state_of(request, sa, record.body)
    return json_response(model.view(base_of(request), sa_path(sa), record.body, state))


@endpoints.route(
    "PUT",
    ONE,
    summary="Change a service channel",
    status=204,
    request_fields=model.FIELDS,
    **WRITE_SUBACCOUNT,
)
def update_channel(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        _sa, record = typed_channel(request)
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
        _sa, record = typed_channel(request)
        store.delete(record.kind, record.key)
    return empty_response()


@endpoints.route(
    "PUT",
    f"{ONE}/state",
    summary="Open (enabled: true) or close a service channel",
    status=204,
    request_fields=model.STATE_FIELDS,
    **WRITE_SUBACCOUNT,
    more_responses={
        "500": "RUNTIME_FAILURE: the channel cannot be opened (no tunnel "
        "to SAP BTP); it stays disabled"
    },
)
def put_channelstate_of(request: ReadRequest, caller: Caller) -> Response:
    enable = model.STATE_FIELDS.read(json_object(request))["enabled"]
    sa, record = typed_channel(request)
    if enable:
        # Opening needs the tunnel; the offline cloud raises 500 RUNTIME_FAILURE, as the product
        # answers when a channel cannot be opened, and the channel stays disabled.
        cloud_of(request).open_channel(
            sa.body["regionHost"],
            sa.body["subaccount"],
            cloud_name(record.body),
        )
    store = store_of(request)
    with store.transaction():
        _sa, current = typed_channel(request)
        store.update_body(current.kind, current.key, {**current.body, "enabled": enable})
    return empty_response()

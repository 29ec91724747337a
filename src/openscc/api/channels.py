"""Service channels of a subaccount (K8S, ABAPCloud, ABAPCloudSNC, HANA, VirtualMachine)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.config_routes import (
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
from openscc.api.context import Caller
from openscc.api.endpoints import EndpointTable
from openscc.api.lenient import required
from openscc.api.read_request import ReadRequest, json_object
from openscc.api.responses import created, empty_response, json_response
from openscc.api.system_mappings import SUBACCOUNT, subaccount_of
from openscc.config import channels as model
from openscc.config import kinds, paths
from openscc.config.sequences import next_value
from openscc.config.values import as_bool
from openscc.errors import NotFound
from openscc.snapshot import EntityRecord

endpoints = EndpointTable()
LIST = f"{SUBACCOUNT}/channels/{{type}}"
ONE = f"{LIST}/{{id}}"
_STATE_SCHEMA = required_boolean("enabled")


def _sa_path(sa: EntityRecord) -> str:
    return paths.subaccount_path(sa.body["regionHost"], sa.body["subaccount"])


def _channel(request: Request) -> tuple[EntityRecord, EntityRecord]:
    kind = model.channel_type(request.path_params["type"])
    sa = subaccount_of(request)
    text = request.path_params["id"]
    record = (
        store_of(request).get(kinds.CHANNEL, kinds.channel_key(sa.key, int(text)))
        if text.isdigit()
        else None
    )
    if record is None or record.body["type"] != kind:
        raise NotFound(f"Service channel with value '{text}' does not exist")
    return sa, record


@endpoints.route(
    "GET",
    LIST,
    summary="The subaccount's service channels of one type",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
)
def list_channels(request: ReadRequest, caller: Caller) -> Response:
    kind = model.channel_type(request.path_params["type"])
    sa = subaccount_of(request)
    base, sa_path = base_of(request), _sa_path(sa)
    records = store_of(request).children(kinds.CHANNEL, sa.key)
    return json_response(
        [model.view(base, sa_path, r.body) for r in records if r.body["type"] == kind]
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
        number = next_value(store, kinds.CHANNEL)
        body = {**fields, "id": number, "type": kind, "enabled": False}
        store.put(
            EntityRecord(
                kind=kinds.CHANNEL, key=kinds.channel_key(sa.key, number), parent=sa.key, body=body
            )
        )
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
    return json_response(model.view(base_of(request), _sa_path(sa), record.body))


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
        body = {**record.body, **model.parse(record.body["type"], data, record.body)}
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
            f"{record.body['type']} channel {record.body['id']}",
        )
    store = store_of(request)
    with store.transaction():
        _sa, current = _channel(request)
        store.update_body(current.kind, current.key, {**current.body, "enabled": enable})
    return empty_response()

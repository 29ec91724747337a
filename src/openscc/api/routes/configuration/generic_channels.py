"""The obsolete generic form of the service channel API: ``typeKey`` HANA_DB, HCPVM or RFC,
``details``, ``serviceNumber`` and ``connectionCount``, a second view of the typed channels.
``channels.py`` includes these routes in its table."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.channel_records import (
    ALL,
    LIST,
    NO_TUNNEL,
    add,
    by_number,
    sa_path,
    state_of,
)
from openscc.api.routes.configuration.common import (
    ARRAY_OF_OBJECTS,
    READ,
    WRITE_SUBACCOUNT,
    audit,
    base_of,
    cloud_of,
    store_of,
)
from openscc.api.routes.configuration.system_mappings import subaccount_of
from openscc.config import channels as model
from openscc.errors import InvalidRequest
from openscc.store.records import EntityRecord

endpoints = EndpointTable()


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
    return json_response(
        [model.generic_view(r.body, state_of(request, sa, r.body)) for r in records]
    )


async def _typed_fields(
    request: Request, sa: EntityRecord, kind: str, typed: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """A typed channel body from a generic request; a virtual machine's endpoint ID is looked up
    by its name among those SAP BTP offers (the generic form has only the name)."""
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
    request_fields=model.GENERIC_FIELDS,
    **WRITE_SUBACCOUNT,
    more_responses=NO_TUNNEL,
)
async def create_generic_channel(request: Request, caller: Caller) -> Response:
    kind, typed = model.from_generic(await read_json_object(request))
    svc = services(request)
    store = svc.instance.store
    sa = await svc.store_thread.run(subaccount_of, request)
    fields = await _typed_fields(request, sa, kind, typed, {})

    def store_new() -> tuple[EntityRecord, int]:
        with store.transaction():
            current = subaccount_of(request)
            return current, add(store, current, kind, fields)

    sa, number = await svc.store_thread.run(store_new)
    audit(request, "channel.created", subaccount=sa.body["subaccount"], channel=number, type=kind)
    return created(base_of(request) + f"{sa_path(sa)}/channels/{number}")


@endpoints.loop_route(
    "PUT",
    LIST,
    summary="Replace a service channel (obsolete generic form: the segment is the channel's id)",
    status=204,
    request_fields=model.GENERIC_FIELDS,
    **WRITE_SUBACCOUNT,
    more_responses=NO_TUNNEL,
)
async def replace_generic_channel(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    svc = services(request)
    store = svc.instance.store
    text = request.path_params["type"]

    def find() -> tuple[EntityRecord, EntityRecord]:
        sa = subaccount_of(request)
        return sa, by_number(request, sa, text)

    sa, record = await svc.store_thread.run(find)
    kind, typed = model.from_generic(data)
    if kind != record.body["type"]:
        stored = record.body["type"]
        raise InvalidRequest(f"typeKey must stay {model.GENERIC_KEYS.get(stored, stored)}")
    fields = await _typed_fields(request, sa, kind, typed, record.body)

    def replace() -> None:
        with store.transaction():
            _sa, current = find()
            store.update_body(current.kind, current.key, {**model.upgraded(current.body), **fields})

    await svc.store_thread.run(replace)
    audit(request, "channel.updated", subaccount=sa.body["subaccount"], channel=record.body["id"])
    return empty_response()

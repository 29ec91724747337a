"""System mappings of a subaccount: list, create, read, update, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller
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
    store_of,
)
from openscc.config import system_mappings as model
from openscc.config.lookup import require_mapping, require_subaccount
from openscc.config.queries import resource_counts
from openscc.config.values import now_ms
from openscc.errors import InvalidConfiguration, InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
SUBACCOUNT = "/api/v1/configuration/subaccounts/{region}/{subaccount}"
LIST = f"{SUBACCOUNT}/systemMappings"
ONE = f"{LIST}/{{mapping}}"


def subaccount_of(request: Request) -> EntityRecord:
    p = request.path_params
    return require_subaccount(store_of(request), p["region"], p["subaccount"])


def mapping_of(request: Request) -> tuple[EntityRecord, EntityRecord]:
    """The subaccount and the system mapping the URI names (404 for either)."""
    sa = subaccount_of(request)
    return sa, require_mapping(store_of(request), sa, request.path_params["mapping"])


def delete_mapping(store: EntityStore, mapping: EntityRecord) -> None:
    store.delete_subtree(mapping.key)  # its resources
    store.delete(mapping.kind, mapping.key)


@endpoints.route(
    "GET",
    LIST,
    summary="The subaccount's system mappings",
    response_schema=ARRAY_OF_OBJECTS,
    cached=True,
    **READ,
)
def list_mappings(request: ReadRequest, caller: Caller) -> Response:
    sa = subaccount_of(request)
    store = store_of(request)
    mappings = store.children(kinds.SYSTEM_MAPPING, sa.key)
    counts = resource_counts(store, kinds.RESOURCE, (m.key for m in mappings))
    base = base_of(request)
    return json_response(
        [
            model.view(base, model.mapping_path(sa.body, m.body), m.body, *counts[m.key])
            for m in mappings
        ]
    )


@endpoints.route(
    "POST",
    LIST,
    summary="Add a system mapping",
    status=201,
    request_fields=model.FIELDS,
    **WRITE_SUBACCOUNT,
)
def create_mapping(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    sa = subaccount_of(request)
    body = {**model.parse(data), "creationDate": now_ms()}
    record = model.record(sa.key, body)
    store = store_of(request)
    with store.transaction():
        if store.exists(record.kind, record.key):
            raise InvalidConfiguration(
                f"System mapping with value '{body['virtualHost']}:{body['virtualPort']}' already exists"
            )
        store.put(record)
    audit(
        request,
        "systemMapping.created",
        subaccount=sa.body["subaccount"],
        mapping=f"{body['virtualHost']}:{body['virtualPort']}",
    )
    return created(base_of(request) + model.mapping_path(sa.body, body))


@endpoints.route(
    "DELETE",
    LIST,
    summary="Remove all system mappings of the subaccount",
    status=204,
    **WRITE_SUBACCOUNT,
)
def delete_all_mappings(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        for mapping in store.children(kinds.SYSTEM_MAPPING, sa.key):
            delete_mapping(store, mapping)
    audit(request, "systemMapping.deleted_all", subaccount=sa.body["subaccount"])
    return empty_response()


@endpoints.route("GET", ONE, summary="One system mapping", response_schema=OBJECT, **READ)
def get_mapping(request: ReadRequest, caller: Caller) -> Response:
    sa, mapping = mapping_of(request)
    total, enabled = resource_counts(store_of(request), kinds.RESOURCE, [mapping.key])[mapping.key]
    path = model.mapping_path(sa.body, mapping.body)
    return json_response(model.view(base_of(request), path, mapping.body, total, enabled))


@endpoints.route(
    "PUT",
    ONE,
    summary="Change a system mapping",
    status=204,
    request_fields=model.UPDATE_FIELDS,
    **WRITE_SUBACCOUNT,
)
def update_mapping(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        sa, mapping = mapping_of(request)
        body = {**model.parse(data, mapping.body), "creationDate": mapping.body["creationDate"]}
        if (body["virtualHost"], body["virtualPort"]) != (
            mapping.body["virtualHost"],
            mapping.body["virtualPort"],
        ):
            raise InvalidRequest(
                "virtualHost and virtualPort of a system mapping cannot be changed"
            )
        store.update_body(mapping.kind, mapping.key, body)
    audit(
        request,
        "systemMapping.updated",
        subaccount=sa.body["subaccount"],
        mapping=request.path_params["mapping"],
    )
    return empty_response()


@endpoints.route(
    "DELETE",
    ONE,
    summary="Remove a system mapping and its resources",
    status=204,
    **WRITE_SUBACCOUNT,
)
def remove_mapping(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        sa, mapping = mapping_of(request)
        delete_mapping(store, mapping)
    audit(
        request,
        "systemMapping.deleted",
        subaccount=sa.body["subaccount"],
        mapping=request.path_params["mapping"],
    )
    return empty_response()

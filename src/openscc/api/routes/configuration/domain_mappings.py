"""Domain mappings of a subaccount, addressed by their current internal domain."""

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
    READ,
    WRITE_SUBACCOUNT,
    audit,
    base_of,
    store_of,
)
from openscc.api.routes.configuration.system_mappings import SUBACCOUNT, subaccount_of
from openscc.config import domain_mappings as model
from openscc.config import paths
from openscc.config.sequences import next_value
from openscc.errors import NotFound
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
LIST = f"{SUBACCOUNT}/domainMappings"
ONE = f"{LIST}/{{domain}}"


def _sa_path(sa: EntityRecord) -> str:
    return paths.subaccount_path(sa.body["regionHost"], sa.body["subaccount"])


def _one(request: Request) -> tuple[EntityRecord, list[EntityRecord], EntityRecord]:
    sa = subaccount_of(request)
    records = store_of(request).children(kinds.DOMAIN_MAPPING, sa.key)
    found = model.find(records, request.path_params["domain"])
    if found is None:
        raise NotFound(
            f"Domain mapping with value '{request.path_params['domain']}' does not exist"
        )
    return sa, records, found


@endpoints.route(
    "GET",
    LIST,
    summary="The subaccount's domain mappings",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
)
def list_domain_mappings(request: ReadRequest, caller: Caller) -> Response:
    sa = subaccount_of(request)
    base, sa_path = base_of(request), _sa_path(sa)
    records = store_of(request).children(kinds.DOMAIN_MAPPING, sa.key)
    return json_response([model.view(base, sa_path, r.body) for r in records])


@endpoints.route(
    "POST",
    LIST,
    summary="Add a domain mapping",
    status=201,
    request_fields=model.FIELDS,
    **WRITE_SUBACCOUNT,
)
def create_domain_mapping(request: ReadRequest, caller: Caller) -> Response:
    body = model.parse(json_object(request))
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        model.check_unique(store.children(kinds.DOMAIN_MAPPING, sa.key), body)
        number = next_value(store, kinds.DOMAIN_MAPPING)
        store.put(
            EntityRecord(
                kind=kinds.DOMAIN_MAPPING,
                key=kinds.domain_mapping_key(sa.key, number),
                parent=sa.key,
                body=body,
            )
        )
    audit(
        request,
        "domainMapping.created",
        subaccount=sa.body["subaccount"],
        internalDomain=body["internalDomain"],
    )
    return created(
        base_of(request) + paths.domain_mapping_path(_sa_path(sa), body["internalDomain"])
    )


@endpoints.route(
    "DELETE", LIST, summary="Remove all domain mappings", status=204, **WRITE_SUBACCOUNT
)
def delete_all_domain_mappings(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        sa = subaccount_of(request)
        store.delete_children(kinds.DOMAIN_MAPPING, sa.key)
    return empty_response()


@endpoints.route(
    "PUT",
    ONE,
    summary="Change a domain mapping (the URI names its current internal domain)",
    status=204,
    request_fields=model.FIELDS,
    **WRITE_SUBACCOUNT,
)
def update_domain_mapping(request: ReadRequest, caller: Caller) -> Response:
    body = model.parse(json_object(request))
    store = store_of(request)
    with store.transaction():
        _sa, records, found = _one(request)
        model.check_unique(records, body, ignore=found.key)
        store.update_body(found.kind, found.key, body)
    return empty_response()


@endpoints.route("DELETE", ONE, summary="Remove a domain mapping", status=204, **WRITE_SUBACCOUNT)
def delete_domain_mapping(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        _sa, _records, found = _one(request)
        store.delete(found.kind, found.key)
    return empty_response()

"""Resources of a system mapping, addressed by their encoded id (``/`` is ``-``)."""

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
from openscc.api.routes.configuration.system_mappings import ONE as MAPPING
from openscc.api.routes.configuration.system_mappings import mapping_of
from openscc.config import paths
from openscc.config import resources as model
from openscc.config.resource_ids import decode_resource_id
from openscc.config.system_mappings import mapping_path
from openscc.config.values import now_ms
from openscc.errors import InvalidConfiguration, NotFound
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
LIST = f"{MAPPING}/resources"
ONE = f"{LIST}/{{resource}}"


def _resource(request: Request) -> tuple[str, EntityRecord]:
    sa, mapping = mapping_of(request)
    resource_id = decode_resource_id(request.path_params["resource"])
    record = store_of(request).get(kinds.RESOURCE, kinds.resource_key(mapping.key, resource_id))
    if record is None:
        raise NotFound(f"Resource with value '{resource_id}' does not exist")
    return mapping_path(sa.body, mapping.body), record


@endpoints.route(
    "GET",
    LIST,
    summary="The mapping's resources",
    response_schema=ARRAY_OF_OBJECTS,
    cached=True,
    **READ,
)
def list_resources(request: ReadRequest, caller: Caller) -> Response:
    sa, mapping = mapping_of(request)
    path, base = mapping_path(sa.body, mapping.body), base_of(request)
    records = store_of(request).children(kinds.RESOURCE, mapping.key)
    return json_response([model.view(base, path, r.body, in_list=True) for r in records])


@endpoints.route(
    "POST",
    LIST,
    summary="Add a resource",
    status=201,
    request_fields=model.FIELDS,
    **WRITE_SUBACCOUNT,
)
def create_resource(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    sa, mapping = mapping_of(request)
    body = {**model.parse(data), "creationDate": now_ms()}
    record = model.record(mapping.key, body)
    store = store_of(request)
    with store.transaction():
        if store.exists(record.kind, record.key):
            raise InvalidConfiguration(f"Resource with value '{body['id']}' already exists")
        store.put(record)
    audit(
        request,
        "resource.created",
        subaccount=sa.body["subaccount"],
        mapping=request.path_params["mapping"],
        resource=body["id"],
    )
    return created(
        base_of(request) + paths.resource_path(mapping_path(sa.body, mapping.body), body["id"])
    )


@endpoints.route(
    "DELETE", LIST, summary="Remove all resources of the mapping", status=204, **WRITE_SUBACCOUNT
)
def delete_all_resources(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        _sa, mapping = mapping_of(request)
        store.delete_children(kinds.RESOURCE, mapping.key)
    return empty_response()


@endpoints.route("GET", ONE, summary="One resource", response_schema=OBJECT, **READ)
def get_resource(request: ReadRequest, caller: Caller) -> Response:
    path, record = _resource(request)
    return json_response(model.view(base_of(request), path, record.body, in_list=False))


@endpoints.route(
    "PUT",
    ONE,
    summary="Change a resource",
    status=204,
    request_fields=model.UPDATE_FIELDS,
    **WRITE_SUBACCOUNT,
)
def update_resource(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        _path, record = _resource(request)
        body = model.updated(record.body, data)
        store.update_body(record.kind, record.key, body)
    return empty_response()


@endpoints.route("DELETE", ONE, summary="Remove a resource", status=204, **WRITE_SUBACCOUNT)
def delete_resource(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        _path, record = _resource(request)
        store.delete(record.kind, record.key)
    audit(request, "resource.deleted", resource=record.body["id"])
    return empty_response()

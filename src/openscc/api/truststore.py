"""The back-end trust store: trusted CA certificates for on-premise systems."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.config_routes import (
    OBJECT,
    READ,
    WRITE_CONNECTOR,
    audit,
    base_of,
    required_boolean,
    store_of,
)
from openscc.api.context import Caller
from openscc.api.endpoints import EndpointTable
from openscc.api.lenient import required
from openscc.api.read_request import ReadRequest, form_parts, json_object
from openscc.api.responses import created, empty_response, json_response
from openscc.api.uploads import required_part
from openscc.config import kinds
from openscc.config import truststore as model
from openscc.config.sequences import next_value
from openscc.config.values import as_bool
from openscc.errors import NotFound
from openscc.snapshot import EntityRecord

endpoints = EndpointTable()
_SETTINGS_SCHEMA = required_boolean("trustAllBackends")


def get_truststore(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    entries = store.children(kinds.TRUSTED_BACKEND, None)
    return json_response(
        {
            "trustAllBackends": model.trust_all(store),
            "trustedBackends": [model.entry_view(r) for r in entries],
        }
    )


def change_truststore(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    value = as_bool(required(data, "trustAllBackends"), "trustAllBackends")
    store = store_of(request)
    with store.transaction():
        model.set_trust_all(store, value)
    audit(request, "truststore.trustAllBackends", value=value)
    return empty_response()


def add_certificate(request: ReadRequest, caller: Caller) -> Response:
    pem = model.parse_certificate(required_part(form_parts(request), "certificate"))
    store = store_of(request)
    with store.transaction():
        model.check_new(store.children(kinds.TRUSTED_BACKEND, None), pem)
        alias = model.alias_for(next_value(store, kinds.TRUSTED_BACKEND))
        store.put(
            EntityRecord(
                kind=kinds.TRUSTED_BACKEND, key=alias, parent=None, body={"certificatePem": pem}
            )
        )
    audit(request, "truststore.certificate_added", alias=alias)
    return created(f"{base_of(request)}{request.url.path.rstrip('/')}/{alias}")


def _entry(request: Request) -> EntityRecord:
    alias = request.path_params["alias"]
    record = store_of(request).get(kinds.TRUSTED_BACKEND, alias)
    if record is None:
        raise NotFound(f"Certificate with alias '{alias}' does not exist")
    return record


def get_certificate(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.entry_view(_entry(request)))


def delete_certificate(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        record = _entry(request)
        store.delete(record.kind, record.key)
    audit(request, "truststore.certificate_removed", alias=record.key)
    return empty_response()


def delete_all_certificates(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        for record in store.children(kinds.TRUSTED_BACKEND, None):
            store.delete(record.kind, record.key)
    return empty_response()


for _prefix in ("onPremise", "onPremises"):
    _base = f"/api/v1/configuration/connector/{_prefix}/truststore"
    endpoints.route(
        "GET",
        _base,
        summary="The trust store: trust-all switch and trusted certificates",
        response_schema=OBJECT,
        **READ,
    )(get_truststore)
    for _method in ("PATCH", "PUT"):
        endpoints.route(
            _method,
            _base,
            summary="Trust all back ends, or only the listed ones",
            status=204,
            request_schema=_SETTINGS_SCHEMA,
            **WRITE_CONNECTOR,
        )(change_truststore)
    endpoints.route(
        "POST",
        f"{_base}/certificates",
        summary="Add a trusted CA certificate (PEM)",
        status=201,
        request_schema={"type": "object", "properties": {"certificate": {"type": "string"}}},
        request_content_type="multipart/form-data",
        **WRITE_CONNECTOR,
    )(add_certificate)
    endpoints.route(
        "DELETE",
        f"{_base}/certificates",
        summary="Remove all trusted certificates",
        status=204,
        **WRITE_CONNECTOR,
    )(delete_all_certificates)
    endpoints.route(
        "GET",
        f"{_base}/certificates/{{alias}}",
        summary="One trusted certificate",
        response_schema=OBJECT,
        **READ,
    )(get_certificate)
    endpoints.route(
        "DELETE",
        f"{_base}/certificates/{{alias}}",
        summary="Remove a trusted certificate",
        status=204,
        **WRITE_CONNECTOR,
    )(delete_certificate)

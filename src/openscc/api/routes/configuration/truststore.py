"""The back-end trust store: trusted CA certificates for on-premise systems."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, form_parts, json_object
from openscc.api.http.responses import (
    DER,
    PEM,
    accepts,
    attachment,
    created,
    empty_response,
    json_response,
    wants_der,
)
from openscc.api.routes.configuration.common import (
    OBJECT,
    READ,
    WRITE_CONNECTOR,
    audit,
    base_of,
    store_of,
)
from openscc.config import certificate_lists
from openscc.config import truststore as model
from openscc.config.sequences import next_value
from openscc.errors import NotFound
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
_FILE = {"type": "string", "format": "binary"}
_UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "certificates": {"anyOf": [_FILE, {"type": "array", "items": _FILE}]},
        "certificate": _FILE,
    },
}
_BUNDLE = {
    "description": f"The certificates as PEM, or DER with Accept: {DER}",
    "content": {PEM: {"schema": _FILE}, DER: {"schema": _FILE}},
}
_DESCRIPTION_OR_DER = {
    "description": f"The certificate's description, or the certificate (DER) with Accept: {DER}",
    "content": {"application/json": {"schema": OBJECT}, DER: {"schema": _FILE}},
}


def get_truststore(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    entries = store.children(kinds.TRUSTED_BACKEND, None)
    return json_response(
        {
            "trustAllBackends": model.trust_all(store),
            "trustedBackends": [certificate_lists.entry_view(r) for r in entries],
        }
    )


def change_truststore(request: ReadRequest, caller: Caller) -> Response:
    value = model.FIELDS.read(json_object(request))["trustAllBackends"]
    store = store_of(request)
    with store.transaction():
        model.set_trust_all(store, value)
    audit(request, "truststore.trustAllBackends", value=value)
    return empty_response()


def add_certificates(request: ReadRequest, caller: Caller) -> Response:
    """One or more certificates: the 2.18+ part ``certificates`` (repeatable, each file PEM with
    one or more, or DER) and the older ``certificate``."""
    parts = form_parts(request)
    pems = certificate_lists.parse_upload(parts.every("certificates") + parts.every("certificate"))
    store = store_of(request)
    aliases = []
    with store.transaction():
        certificate_lists.refuse_known(store.children(kinds.TRUSTED_BACKEND, None), pems)
        for pem in pems:
            alias = model.alias_for(next_value(store, kinds.TRUSTED_BACKEND))
            store.put(
                EntityRecord(
                    kind=kinds.TRUSTED_BACKEND, key=alias, parent=None, body={"certificatePem": pem}
                )
            )
            aliases.append(alias)
    audit(request, "truststore.certificate_added", aliases=",".join(aliases))
    # The Location names the first one added (the only one, with the older form).
    return created(f"{base_of(request)}{request.url.path.rstrip('/')}/{aliases[0]}")


def _entry(request: Request) -> EntityRecord:
    alias = request.path_params["alias"]
    record = store_of(request).get(kinds.TRUSTED_BACKEND, alias)
    if record is None:
        raise NotFound(f"Certificate with alias '{alias}' does not exist")
    return record


def get_certificate(request: ReadRequest, caller: Caller) -> Response:
    record = _entry(request)
    if accepts(request, DER):
        return attachment(certificate_lists.der_sequence([record]), f"{record.key}.der", DER)
    return json_response(certificate_lists.entry_view(record))


def download_certificates(request: ReadRequest, caller: Caller) -> Response:
    """Every trusted certificate: DER ones after another with Accept: application/pkix-cert,
    else a PEM bundle."""
    records = store_of(request).children(kinds.TRUSTED_BACKEND, None)
    if not records:
        raise NotFound("The trust store holds no certificates")
    if wants_der(request):
        return attachment(certificate_lists.der_sequence(records), "truststore.der", DER)
    return attachment(certificate_lists.pem_bundle(records), "truststore.pem", PEM)


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
        records = store.children(kinds.TRUSTED_BACKEND, None)
        for record in records:
            store.delete(record.kind, record.key)
    audit(request, "truststore.certificates_removed", count=len(records))
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
            request_fields=model.FIELDS,
            **WRITE_CONNECTOR,
        )(change_truststore)
    endpoints.route(
        "POST",
        f"{_base}/certificates",
        summary="Add trusted CA certificates (parts certificates or certificate; PEM or DER)",
        status=201,
        request_schema=_UPLOAD_SCHEMA,
        request_content_type="multipart/form-data",
        **WRITE_CONNECTOR,
    )(add_certificates)
    endpoints.route(
        "GET",
        f"{_base}/certificates",
        summary=f"Every trusted certificate: PEM, or DER with Accept: {DER}",
        response_content_type=PEM,
        more_responses={"200": _BUNDLE},
        **READ,
    )(download_certificates)
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
        summary=f"One trusted certificate: its description, or DER with Accept: {DER}",
        response_schema=OBJECT,
        more_responses={"200": _DESCRIPTION_OR_DER},
        **READ,
    )(get_certificate)
    endpoints.route(
        "DELETE",
        f"{_base}/certificates/{{alias}}",
        summary="Remove a trusted certificate",
        status=204,
        **WRITE_CONNECTOR,
    )(delete_certificate)

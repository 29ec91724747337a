"""``/api/v1/configuration/connector/email/truststore``: the certificates trusted for the SMTP
server's TLS certificate (``trustOption`` emailTrustStore or jdkAndEmailTrustStore).

Certificates are read as PEM (``Accept: application/x-pem-file``, the default) or DER
(``Accept: application/pkix-cert``); all of them at once as concatenated PEM blocks or
concatenated DER certificates (each DER certificate is self-delimiting, as Java's
CertificateFactory reads them).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, form_parts
from openscc.api.http.responses import (
    DER,
    PEM,
    attachment,
    created,
    empty_response,
    json_response,
    wants_der,
)
from openscc.api.routes.configuration.common import READ, WRITE_CONNECTOR, audit, base_of, store_of
from openscc.config import certificate_lists
from openscc.config import email_truststore as model
from openscc.errors import NotFound
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
BASE = "/api/v1/configuration/connector/email/truststore"
CERTIFICATES = f"{BASE}/certificates"
FORM_PART = "certificates"

_ENTRY = {
    "type": "object",
    "properties": {
        "alias": {"type": "string"},
        "subjectDN": {"type": "string"},
        "issuer": {"type": "string"},
        "notAfterTimeStamp": {"type": "integer"},
    },
    "required": ["alias", "subjectDN", "issuer", "notAfterTimeStamp"],
}
_BINARY = {"type": "string", "format": "binary"}
_PEM_OR_DER = {
    "description": f"The certificate(s): PEM, or DER with Accept: {DER}",
    "content": {PEM: {"schema": _BINARY}, DER: {"schema": _BINARY}},
}


def _certificates(request: Request, records: list[EntityRecord], name: str) -> Response:
    if wants_der(request):
        return attachment(certificate_lists.der_sequence(records), f"{name}.der", DER)
    return attachment(certificate_lists.pem_bundle(records), f"{name}.pem", PEM)


def _entry(request: Request) -> EntityRecord:
    alias = request.path_params["alias"]
    record = store_of(request).get(kinds.TRUSTED_EMAIL_SERVER, alias)
    if record is None:
        raise NotFound(f"Certificate with alias '{alias}' does not exist")
    return record


@endpoints.route(
    "GET",
    BASE,
    summary="The e-mail trust store: its certificates' alias, subject, issuer and expiry",
    response_schema={
        "type": "object",
        "properties": {"trustedEmailCertificates": {"type": "array", "items": _ENTRY}},
        "required": ["trustedEmailCertificates"],
    },
    **READ,
)
def get_truststore(request: ReadRequest, caller: Caller) -> Response:
    records = model.all_records(store_of(request))
    return json_response(
        {"trustedEmailCertificates": [certificate_lists.entry_view(r) for r in records]}
    )


@endpoints.route(
    "GET",
    CERTIFICATES,
    summary=f"Every trusted e-mail certificate (PEM, or DER with Accept: {DER})",
    response_content_type=PEM,
    more_responses={"200": _PEM_OR_DER},
    **READ,
)
def get_certificates(request: ReadRequest, caller: Caller) -> Response:
    return _certificates(
        request, model.all_records(store_of(request)), "trusted_email_certificates"
    )


@endpoints.route(
    "GET",
    f"{CERTIFICATES}/{{alias}}",
    summary=f"One trusted e-mail certificate (PEM, or DER with Accept: {DER})",
    response_content_type=PEM,
    more_responses={"200": _PEM_OR_DER},
    **READ,
)
def get_certificate(request: ReadRequest, caller: Caller) -> Response:
    record = _entry(request)
    return _certificates(request, [record], record.key)


@endpoints.route(
    "POST",
    CERTIFICATES,
    summary="Trust one or more certificates (form parts named certificates, PEM or DER)",
    status=201,
    request_schema={
        "type": "object",
        "properties": {FORM_PART: _BINARY},
        "required": [FORM_PART],
    },
    request_content_type="multipart/form-data",
    **WRITE_CONNECTOR,
)
def add_certificates(request: ReadRequest, caller: Caller) -> Response:
    new = certificate_lists.parse_upload(form_parts(request).every(FORM_PART))
    store = store_of(request)
    with store.transaction():
        aliases = model.add(store, new)
    audit(request, "email_truststore.certificates_added", aliases=aliases)
    location = f"{base_of(request)}{CERTIFICATES}"
    return created(f"{location}/{aliases[0]}" if len(aliases) == 1 else location)


@endpoints.route(
    "DELETE",
    f"{CERTIFICATES}/{{alias}}",
    summary="Stop trusting one e-mail certificate",
    status=204,
    **WRITE_CONNECTOR,
)
def delete_certificate(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        record = _entry(request)
        store.delete(record.kind, record.key)
    audit(request, "email_truststore.certificate_removed", alias=record.key)
    return empty_response()


@endpoints.route(
    "DELETE",
    CERTIFICATES,
    summary="Stop trusting every e-mail certificate",
    status=204,
    **WRITE_CONNECTOR,
)
def delete_certificates(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    removed: list[Any] = []
    with store.transaction():
        for record in model.all_records(store):
            store.delete(record.kind, record.key)
            removed.append(record.key)
    audit(request, "email_truststore.certificates_removed", count=len(removed))
    return empty_response()

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

from openscc.api.config_routes import READ, WRITE_CONNECTOR, audit, base_of, store_of
from openscc.api.context import Caller, services
from openscc.api.endpoints import EndpointTable
from openscc.api.read_request import ReadRequest
from openscc.api.responses import created, empty_response, json_response
from openscc.api.uploads import read_form_items
from openscc.config import certs, kinds
from openscc.config import email_truststore as model
from openscc.errors import NotFound
from openscc.snapshot import EntityRecord

endpoints = EndpointTable()
BASE = "/api/v1/configuration/connector/email/truststore"
CERTIFICATES = f"{BASE}/certificates"
PEM = "application/x-pem-file"
DER = "application/pkix-cert"
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


def _wants_der(request: Request) -> bool:
    """DER when the client accepts application/pkix-cert before (or without) PEM."""
    accept = request.headers.get("accept", "").lower()
    der, pem = accept.find(DER), accept.find(PEM)
    return der >= 0 and (pem < 0 or der < pem)


def _certificates(request: Request, records: list[EntityRecord], name: str) -> Response:
    if _wants_der(request):
        data, media, suffix = b"".join(certs.to_der(_pem(r)) for r in records), DER, "der"
    else:
        data, media, suffix = "".join(_pem(r) for r in records).encode(), PEM, "pem"
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{suffix}"',
            "Cache-Control": "no-store",
        },
    )


def _pem(record: EntityRecord) -> str:
    return str(record.body["certificatePem"])


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
    return json_response({"trustedEmailCertificates": [model.entry_view(r) for r in records]})


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
async def add_certificates(request: Request, caller: Caller) -> Response:
    # A loop handler: the form may repeat its part (one certificate per file), which the store
    # handlers' pre-read form (one value per name) cannot hold.
    items = await read_form_items(request, max_files=model.MAX_PER_UPLOAD, max_fields=8)
    files = [data for name, data in items if name == FORM_PART]
    svc = services(request)
    store = svc.instance.store

    def add() -> list[str]:
        new = model.parse_upload(files)
        with store.transaction():
            return model.add(store, new)

    aliases = await svc.store_thread.run(add)
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

"""The connector's certificates: UI, system, principal-propagation CA, and the trust store.

GET answers the description as JSON, or the certificate itself (DER) when the client accepts
``application/pkix-cert``. POST generates a self-signed certificate or a CSR, PATCH installs the
signed certificate for the pending CSR, PUT uploads a PKCS#12 file. Private keys never leave.
"""

from __future__ import annotations

import functools

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, form_parts
from openscc.api.http.responses import (
    DER,
    accepts,
    attachment,
    created,
    empty_response,
    json_response,
)
from openscc.api.http.uploads import binary_or_base64, required_part, text_part
from openscc.api.routes.configuration.common import (
    OBJECT,
    READ,
    WRITE_CONNECTOR,
    audit,
    base_of,
    store_of,
)
from openscc.config import certificate_slots as slots
from openscc.config import certs, key_pairs
from openscc.config.certificate_slots import Slot

endpoints = EndpointTable()
CONNECTOR = "/api/v1/configuration/connector"
_PKCS12_SCHEMA = {
    "type": "object",
    "properties": {
        "pkcs12": {"type": "string", "format": "binary"},
        "password": {"type": "string"},
        "keyPassword": {"type": "string"},
    },
    "required": ["pkcs12", "password"],
}
_SIGNED_SCHEMA = {"type": "object", "properties": {"signedCertificate": {"type": "string"}}}
_BINARY = {"type": "string", "format": "binary"}
_DESCRIPTION_OR_DER = {
    "description": f"The certificate's description, or the certificate itself (DER) with Accept: {DER}",
    "content": {
        "application/json": {"schema": OBJECT},
        "application/octet-stream": {"schema": _BINARY},
    },
}
_CSR_RESPONSE = {
    "description": "type csr: the certificate signing request (PEM); its key waits for PATCH",
    "content": {"application/pkcs10": {"schema": {"type": "string"}}},
}


def _routes(slot: Slot, path: str) -> None:
    """Register the endpoints of one certificate slot at ``path``."""

    def get_certificate(request: ReadRequest, caller: Caller) -> Response:
        pem = slots.current(store_of(request), slot).body["certificatePem"]
        if accepts(request, DER):
            return attachment(certs.to_der(pem), slot.file_name, "application/octet-stream")
        return json_response(certs.describe(pem, with_alt_names=True))

    async def generate(request: Request, caller: Caller) -> Response:
        kind, subject, key_size, alt_names = slots.parse_generation(await read_json_object(request))
        svc = services(request)
        store = svc.instance.store
        # Making the key (up to 4,096 bits) takes a while: in a worker, so neither the event
        # loop nor the store thread waits for it.
        if kind == "csr":
            csr_pem, key_pem = await svc.workers.run(
                functools.partial(
                    certs.signing_request, subject, key_size=key_size, alt_names=alt_names
                )
            )

            def save_pending() -> None:
                with store.transaction():
                    slots.save_pending(store, slot, csr_pem, key_pem)

            await svc.store_thread.run(save_pending)
            audit(request, "certificate.csr", slot=slot.kind)
            return Response(
                csr_pem, media_type="application/pkcs10", headers={"Cache-Control": "no-store"}
            )
        pair = await svc.workers.run(
            functools.partial(
                certs.self_signed,
                subject,
                key_size=key_size,
                alt_names=alt_names,
                is_ca=slot.is_ca,
            )
        )

        def install() -> None:
            with store.transaction():
                slots.install(store, slot, pair)

        await svc.store_thread.run(install)
        audit(request, "certificate.self_signed", slot=slot.kind)
        return created(base_of(request) + path)

    def install_signed(request: ReadRequest, caller: Caller) -> Response:
        chain = text_part(form_parts(request), "signedCertificate") or ""
        store = store_of(request)
        with store.transaction():
            key_pem = slots.take_pending_key(store, slot)
            leaf = key_pairs.chain_matching_key(chain, key_pem)
            slots.install(store, slot, certs.KeyPair(certificate_pem=leaf, private_key_pem=key_pem))
            slots.clear_pending(store, slot)
        audit(request, "certificate.signed_installed", slot=slot.kind)
        return created(base_of(request) + path)

    def upload_pkcs12(request: ReadRequest, caller: Caller) -> Response:
        parts = form_parts(request)
        data = binary_or_base64(required_part(parts, "pkcs12"))
        password = text_part(parts, "password") or ""
        pair = key_pairs.from_pkcs12(
            data, password, text_part(parts, "keyPassword", required=False)
        )
        store = store_of(request)
        with store.transaction():
            slots.install(store, slot, pair)
        audit(request, "certificate.pkcs12_uploaded", slot=slot.kind)
        return empty_response()

    def delete_certificate(request: ReadRequest, caller: Caller) -> Response:
        store = store_of(request)
        with store.transaction():
            record = slots.current(store, slot)
            store.delete(record.kind, record.key)
        audit(request, "certificate.deleted", slot=slot.kind)
        return empty_response()

    label = slot.label
    endpoints.route(
        "GET",
        path,
        summary=f"The {label} (JSON, or DER with Accept: {DER})",
        response_schema=OBJECT,
        more_responses={"200": _DESCRIPTION_OR_DER},
        **READ,
    )(get_certificate)
    # The UI certificate is each instance's own: a shadow maintains its own (SAP's HA pages).
    write = {**WRITE_CONNECTOR, "changes_config": slot is not slots.UI}
    endpoints.loop_route(
        "POST",
        path,
        summary=f"Generate a self-signed {label} or a CSR for it",
        status=201,
        request_fields=slots.GENERATION_FIELDS,
        more_responses={"200": _CSR_RESPONSE},
        **write,
    )(generate)
    endpoints.route(
        "PATCH",
        path,
        summary=f"Install the signed {label} for the pending CSR",
        status=201,
        request_schema=_SIGNED_SCHEMA,
        request_content_type="multipart/form-data",
        **write,
    )(install_signed)
    endpoints.route(
        "PUT",
        path,
        summary=f"Upload the {label} as PKCS#12",
        status=204,
        request_schema=_PKCS12_SCHEMA,
        request_content_type="multipart/form-data",
        **write,
    )(upload_pkcs12)
    if slot.deletable:
        endpoints.route("DELETE", path, summary=f"Remove the {label}", status=204, **write)(
            delete_certificate
        )


_routes(slots.UI, f"{CONNECTOR}/ui/uiCertificate")
for _prefix in ("onPremise", "onPremises"):
    _routes(slots.SYSTEM, f"{CONNECTOR}/{_prefix}/systemCertificate")
    _routes(slots.PP_CA, f"{CONNECTOR}/{_prefix}/ppCaCertificate")

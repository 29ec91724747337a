"""Lists of trusted certificates (the back-end and the e-mail trust stores): reading an upload,
refusing what is trusted already, describing an entry, and the whole list as one file."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from openscc.config import certs
from openscc.errors import InvalidRequest
from openscc.store.records import EntityRecord

MAX_PER_UPLOAD = 100
_PEM_MARK = b"-----BEGIN CERTIFICATE-----"


def parse_upload(files: list[bytes]) -> list[str]:
    """The PEM of every certificate in the uploaded files (each a PEM file of one or more, or one
    DER certificate); 400 if there is none, a file holds none, or the upload repeats one."""
    found: list[x509.Certificate] = []
    for data in files:
        found += _certificates_in(data)
    if not found:
        raise InvalidRequest("form part certificates is required: one or more certificates")
    if len(found) > MAX_PER_UPLOAD:
        raise InvalidRequest(f"at most {MAX_PER_UPLOAD} certificates can be added at once")
    seen: set[x509.Certificate] = set()
    for cert in found:
        if cert in seen:
            raise InvalidRequest(f"the certificate {certs.dn_text(cert.subject)!r} comes twice")
        seen.add(cert)
    return [cert.public_bytes(serialization.Encoding.PEM).decode() for cert in found]


def _certificates_in(data: bytes) -> list[x509.Certificate]:
    if _PEM_MARK in data:
        try:
            return x509.load_pem_x509_certificates(data)
        except ValueError:
            raise InvalidRequest("certificates holds a PEM block that is no certificate") from None
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InvalidRequest("certificates must be X.509 certificates in PEM or DER") from None


def refuse_known(records: list[EntityRecord], pems: list[str]) -> None:
    """400 if any new certificate is trusted already, so an upload is added whole or not at all."""
    known = {certs.load_certificate(r.body["certificatePem"]): r.key for r in records}
    for pem in pems:
        cert = certs.load_certificate(pem)
        if cert in known:
            raise InvalidRequest(
                f"the certificate {certs.dn_text(cert.subject)!r} is already trusted as "
                f"{known[cert]}"
            )


def entry_view(record: EntityRecord) -> dict[str, Any]:
    described = certs.describe(record.body["certificatePem"])
    return {
        "alias": record.key,
        "subjectDN": described["subjectDN"],
        "issuer": described["issuer"],
        "notAfterTimeStamp": described["notAfterTimeStamp"],
    }


def pem_bundle(records: list[EntityRecord]) -> bytes:
    return "".join(r.body["certificatePem"] for r in records).encode()


def der_sequence(records: list[EntityRecord]) -> bytes:
    """The DER certificates one after the other (each is self-delimiting ASN.1)."""
    return b"".join(certs.to_der(r.body["certificatePem"]) for r in records)

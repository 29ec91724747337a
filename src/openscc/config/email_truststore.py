"""The e-mail trust store: the certificates trusted for the SMTP server's TLS certificate.

Each certificate is an entity (its PEM in the body) under the product's alias form
``trustedemailserver.<upload>.<n>``: the n-th certificate of the upload numbered <upload>.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from openscc.config import certs, kinds
from openscc.config.sequences import next_value
from openscc.errors import InvalidRequest
from openscc.snapshot import EntityRecord
from openscc.store.entities import EntityStore

MAX_PER_UPLOAD = 100
_PEM_MARK = b"-----BEGIN CERTIFICATE-----"


def parse_upload(files: list[bytes]) -> list[x509.Certificate]:
    """Every certificate of the uploaded files (each PEM, possibly several, or one DER); 400 if
    there is none, a file holds no certificate, or the upload repeats one."""
    found: list[x509.Certificate] = []
    for data in files:
        found += _certificates_in(data)
    if not found:
        raise InvalidRequest("form part certificates is required: one or more certificates")
    if len(found) > MAX_PER_UPLOAD:
        raise InvalidRequest(f"at most {MAX_PER_UPLOAD} certificates can be added at once")
    if len(set(found)) != len(found):
        raise InvalidRequest("the upload holds the same certificate twice")
    return found


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


def add(store: EntityStore, new: list[x509.Certificate]) -> list[str]:
    """Store the certificates under new aliases (call inside a transaction); 400 if one is
    trusted already, so an upload is added whole or not at all."""
    for record in all_records(store):
        if certs.load_certificate(record.body["certificatePem"]) in new:
            raise InvalidRequest(f"the certificate is already trusted as {record.key}")
    upload = next_value(store, kinds.TRUSTED_EMAIL_SERVER)
    aliases = []
    for number, cert in enumerate(new, start=1):
        alias = f"trustedemailserver.{upload}.{number}"
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        store.put(
            EntityRecord(
                kind=kinds.TRUSTED_EMAIL_SERVER,
                key=alias,
                parent=None,
                body={"certificatePem": pem},
            )
        )
        aliases.append(alias)
    return aliases


def all_records(store: EntityStore) -> list[EntityRecord]:
    return store.children(kinds.TRUSTED_EMAIL_SERVER, None)


def trusted_pems(store: EntityStore) -> list[str]:
    return [str(record.body["certificatePem"]) for record in all_records(store)]


def entry_view(record: EntityRecord) -> dict[str, Any]:
    described = certs.describe(record.body["certificatePem"])
    return {
        "alias": record.key,
        "subjectDN": described["subjectDN"],
        "issuer": described["issuer"],
        "notAfterTimeStamp": described["notAfterTimeStamp"],
    }

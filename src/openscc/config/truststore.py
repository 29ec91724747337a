"""The back-end trust store: trusted CA certificates and the trust-all switch."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from openscc.config import certs, kinds
from openscc.errors import InvalidConfiguration, InvalidRequest
from openscc.snapshot import EntityRecord
from openscc.store.entities import EntityStore


def trust_all(store: EntityStore) -> bool:
    record = store.get(kinds.TRUSTSTORE, kinds.SINGLETON_KEY)
    return bool(record.body.get("trustAllBackends", False)) if record is not None else False


def set_trust_all(store: EntityStore, value: bool) -> None:
    store.put(
        EntityRecord(
            kind=kinds.TRUSTSTORE,
            key=kinds.SINGLETON_KEY,
            parent=None,
            body={"trustAllBackends": value},
        )
    )


def parse_certificate(data: bytes) -> str:
    """The PEM of the first certificate in an upload (PEM or DER)."""
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        try:
            cert = x509.load_der_x509_certificate(data)
        except ValueError:
            raise InvalidRequest("certificate is not a PEM or DER X.509 certificate") from None
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def check_new(records: list[EntityRecord], pem: str) -> None:
    wanted = certs.load_certificate(pem)
    for record in records:
        if certs.load_certificate(record.body["certificatePem"]) == wanted:
            raise InvalidConfiguration(f"the certificate is already trusted as {record.key}")


def alias_for(number: int) -> str:
    return f"trustedbackend.{number}.1"  # the product's alias form, as recorded


def entry_view(record: EntityRecord) -> dict[str, Any]:
    described = certs.describe(record.body["certificatePem"])
    return {
        "alias": record.key,
        "subjectDN": described["subjectDN"],
        "issuer": described["issuer"],
        "notAfterTimeStamp": described["notAfterTimeStamp"],
    }

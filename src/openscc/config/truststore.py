"""The back-end trust store: trusted CA certificates and the trust-all switch."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from openscc.config import certs, kinds
from openscc.errors import InvalidRequest
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


MAX_CERTIFICATES_PER_UPLOAD = 100


def parse_certificates(files: list[bytes]) -> list[str]:
    """The PEM of every certificate in the uploaded files: each a PEM file of one or more
    certificates, or one DER certificate."""
    found: list[x509.Certificate] = []
    for data in files:
        try:
            found.extend(x509.load_pem_x509_certificates(data))
        except ValueError:
            try:
                found.append(x509.load_der_x509_certificate(data))
            except ValueError:
                raise InvalidRequest(
                    "certificates: a file is not a PEM or DER X.509 certificate"
                ) from None
    if not found:
        raise InvalidRequest("form part certificates (or certificate) is required")
    if len(found) > MAX_CERTIFICATES_PER_UPLOAD:
        raise InvalidRequest(f"at most {MAX_CERTIFICATES_PER_UPLOAD} certificates per upload")
    return [cert.public_bytes(serialization.Encoding.PEM).decode() for cert in found]


def check_new(records: list[EntityRecord], pems: list[str]) -> None:
    """Refuse the upload if any certificate is trusted already or comes twice (nothing is added)."""
    known = {certs.load_certificate(r.body["certificatePem"]): r.key for r in records}
    seen: set[x509.Certificate] = set()
    for pem in pems:
        cert = certs.load_certificate(pem)
        if cert in known:
            raise InvalidRequest(
                f"the certificate {certs.dn_text(cert.subject)!r} is already "
                f"trusted as {known[cert]}"
            )
        if cert in seen:
            raise InvalidRequest(f"the certificate {certs.dn_text(cert.subject)!r} comes twice")
        seen.add(cert)


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


def pem_bundle(records: list[EntityRecord]) -> bytes:
    return "".join(r.body["certificatePem"] for r in records).encode()


def der_sequence(records: list[EntityRecord]) -> bytes:
    """The DER certificates one after the other (each is self-delimiting ASN.1)."""
    return b"".join(certs.to_der(r.body["certificatePem"]) for r in records)

"""Key pairs as files bring them: the leaf of a signed chain that matches a pending key, PKCS#12
read and written, and the check that a key belongs to its certificate and that TLS libraries will
take it (a pair that does not would stop the server from starting once it is the UI
certificate)."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from openscc.config.certs import KeyPair, key_pem, load_certificate
from openscc.errors import InvalidRequest
from openscc.store.records import EntityRecord


def chain_matching_key(chain_pem: str, private_key_pem: str) -> str:
    """The leaf certificate of a PEM chain, checked against the pending private key."""
    try:
        certs = x509.load_pem_x509_certificates(chain_pem.encode())
    except ValueError:
        raise InvalidRequest("signedCertificate is not a PEM certificate chain") from None
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    wanted = _public_key_der(key.public_key())
    for cert in certs:
        if _public_key_der(cert.public_key()) == wanted:
            return cert.public_bytes(serialization.Encoding.PEM).decode()
    raise InvalidRequest(
        "the signed certificate does not match the latest certificate signing request"
    )


def from_pkcs12(data: bytes, password: str, key_password: str | None = None) -> KeyPair:
    """The key and certificate in a PKCS#12 file; 400 if it cannot be opened or has no key."""
    bundle = None
    for candidate in dict.fromkeys([password, key_password or password]):
        try:
            bundle = pkcs12.load_key_and_certificates(data, candidate.encode())
            break
        except ValueError:
            continue
    if bundle is None:
        raise InvalidRequest("the PKCS#12 file cannot be opened with this password")
    key, cert, _chain = bundle
    if key is None or cert is None:
        raise InvalidRequest("the PKCS#12 file must contain a private key and its certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidRequest("the PKCS#12 private key must be an RSA key")
    pair = KeyPair(
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=key_pem(key),
    )
    check_key_pair(pair.certificate_pem, pair.private_key_pem)
    return pair


MIN_RSA_BITS = 2048


def _public_key_der(public_key: Any) -> bytes:
    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def check_key_pair(certificate_pem: str, private_key_pem: str) -> None:
    """400 unless the key belongs to the certificate and TLS libraries will accept it: a pair
    that does not would stop the server from starting once it is the UI certificate."""
    cert = load_certificate(certificate_pem)
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if _public_key_der(key.public_key()) != _public_key_der(cert.public_key()):
        raise InvalidRequest("the private key does not belong to the certificate")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise InvalidRequest(f"RSA keys shorter than {MIN_RSA_BITS} bits are refused")


def to_pkcs12(pair: KeyPair, password: str, name: str = "openscc") -> bytes:
    """A PKCS#12 file of a key pair (used by tests and population helpers)."""
    key = serialization.load_pem_private_key(pair.private_key_pem.encode(), password=None)
    return pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,  # type: ignore[arg-type]
        load_certificate(pair.certificate_pem),
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )


def check_archived_key_pair(record: EntityRecord) -> None:
    """An archive's certificate and key (the UI certificate's): they must belong together, or
    the restored server could not start its listener."""
    if record.secret is None:
        raise ValueError("the private key is missing")
    try:
        check_key_pair(str(record.body["certificatePem"]), str(record.secret["privateKeyPem"]))
    except InvalidRequest as error:
        raise ValueError(error.message) from None
    except (KeyError, TypeError):
        raise ValueError("certificate or key does not parse") from None

"""X.509 helpers: self-signed certificates and their description in the Cloud Connector's shape."""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyAndCertificate:
    certificate_pem: bytes
    private_key_pem: bytes  # unencrypted PKCS#8; sensitive


def generate_self_signed(
    subject_cn: str,
    *,
    key_size: int = 2048,
    days: int = 365 * 5,
    alt_names: tuple[str, ...] = ("localhost", "127.0.0.1"),
    now: dt.datetime | None = None,
) -> KeyAndCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    sans: list[x509.GeneralName] = []
    for alt in alt_names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(alt)))
        except ValueError:
            sans.append(x509.DNSName(alt))
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(8), "big") >> 1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    return KeyAndCertificate(
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM),
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )

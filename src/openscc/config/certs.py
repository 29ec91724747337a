"""X.509 work of the configuration API: descriptions in the recorded shape, generation, PKCS#12.

Pure: bytes and strings in, bytes and dicts out. The recorded product formats serial numbers as the
hexadecimal of the serial split into pairs from the left (``60:b9:...:98:5``), DNs most specific
first, and times as epoch milliseconds.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from openscc.errors import InvalidRequest

KEY_SIZES = (2048, 4096)
_ATTRIBUTES = {
    "CN": NameOID.COMMON_NAME,
    "EMAIL": NameOID.EMAIL_ADDRESS,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
    "E": NameOID.EMAIL_ADDRESS,
    "L": NameOID.LOCALITY_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "C": NameOID.COUNTRY_NAME,
    "STREET": NameOID.STREET_ADDRESS,
    "DC": NameOID.DOMAIN_COMPONENT,
}
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyPair:
    certificate_pem: str
    private_key_pem: str  # unencrypted PKCS#8: sensitive, stored only in an entity's secret


def serial_text(serial: int) -> str:
    digits = format(serial, "x")
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def dn_text(name: x509.Name) -> str:
    return name.rfc4514_string({NameOID.EMAIL_ADDRESS: "EMAIL"})


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER as colon-separated hex pairs (what browsers show and an
    administrator compares)."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def dn_spaced(name: x509.Name) -> str:
    """``CN=a, OU=b``: the distinguished name as the product's monitoring answers show it."""
    return ", ".join(_UNESCAPED_COMMA.split(dn_text(name)))


def parse_dn(text: str) -> x509.Name:
    """A Name from ``CN=a,OU=b,...`` (most specific first, as clients send it)."""
    attributes: list[x509.NameAttribute[str]] = []
    for part in _UNESCAPED_COMMA.split(text):
        key, sep, value = part.partition("=")
        oid = _ATTRIBUTES.get(key.strip().upper())
        if not sep or oid is None or not value.strip():
            raise InvalidRequest(
                f"subjectDN part {part.strip()!r} is not a supported NAME=value pair"
            )
        try:
            attributes.append(x509.NameAttribute(oid, value.strip().replace("\\,", ",")))
        except ValueError as error:
            raise InvalidRequest(f"subjectDN part {part.strip()!r} is invalid: {error}") from None
    if not any(a.oid == NameOID.COMMON_NAME for a in attributes):
        raise InvalidRequest("subjectDN must contain a CN")
    return x509.Name(list(reversed(attributes)))


def _general_names(alt_names: list[dict[str, str]]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for alt in alt_names:
        kind, value = alt.get("type", ""), alt.get("value", "")
        if not isinstance(value, str) or not value:
            raise InvalidRequest("every subjectAltNames entry needs a value")
        if kind == "DNS":
            names.append(x509.DNSName(value))
        elif kind == "IP":
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(value)))
            except ValueError:
                raise InvalidRequest(f"{value!r} is not an IP address") from None
        elif kind == "RFC822":
            names.append(x509.RFC822Name(value))
        elif kind == "URI":
            names.append(x509.UniformResourceIdentifier(value))
        else:
            raise InvalidRequest("subjectAltNames type must be DNS, IP, RFC822 or URI")
    return names


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def describe(pem: str, *, with_alt_names: bool = False) -> dict[str, object]:
    """The certificate's description, keys in the recorded order."""
    cert = load_certificate(pem)
    view: dict[str, object] = {
        "notAfterTimeStamp": int(cert.not_valid_after_utc.timestamp() * 1000),
        "notBeforeTimeStamp": int(cert.not_valid_before_utc.timestamp() * 1000),
        "subjectDN": dn_text(cert.subject),
        "issuer": dn_text(cert.issuer),
        "serialNumber": serial_text(cert.serial_number),
    }
    if with_alt_names:
        alt_names = alt_names_of(cert)
        if alt_names:
            view["subjectAltNames"] = alt_names
    return view


def host_names(cert: x509.Certificate) -> set[str]:
    """The host names and addresses a certificate is issued for (common name, DNS and IP
    alternative names), in lower case."""
    names = {
        str(a.value).lower() for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    }
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return names
    names |= {n.lower() for n in alt.get_values_for_type(x509.DNSName)}
    names |= {str(ip) for ip in alt.get_values_for_type(x509.IPAddress)}
    return names


_ALT_NAME_TYPES: tuple[tuple[type[x509.GeneralName], str], ...] = (
    (x509.DNSName, "DNS"),
    (x509.IPAddress, "IP"),
    (x509.RFC822Name, "RFC822"),
    (x509.UniformResourceIdentifier, "URI"),
)


def alt_names_of(cert: x509.Certificate) -> list[dict[str, str]]:
    """The subject alternative names in the certificate's own order (a client that created the
    certificate reads its list back and compares), of the four types the API knows."""
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    out = []
    for name in sans:
        for kind, label in _ALT_NAME_TYPES:
            if isinstance(name, kind):
                out.append({"type": label, "value": str(name.value)})
    return out


def to_der(pem: str) -> bytes:
    return load_certificate(pem).public_bytes(serialization.Encoding.DER)


def key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def self_signed(
    subject: x509.Name,
    *,
    key_size: int = 2048,
    alt_names: list[dict[str, str]] | None = None,
    days: int = 365,
    is_ca: bool = False,
    now: dt.datetime | None = None,
) -> KeyPair:
    """A new RSA key and a certificate it signs for itself."""
    if key_size not in KEY_SIZES:
        raise InvalidRequest("keySize must be 2048 or 4096")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    start = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        # 16 random bytes, as the recorded serial numbers have; the top bit clear keeps it positive.
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    names = _general_names(alt_names or [])
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    return KeyPair(
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=key_pem(key),
    )


def initial_ui_certificate(host: str, *, now: dt.datetime | None = None) -> KeyPair:
    """The UI certificate a new installation starts with: five years, valid for the host and
    loopback, and back-dated a little so a client's clock skew does not reject it."""
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    loopback = [{"type": "DNS", "value": "localhost"}, {"type": "IP", "value": "127.0.0.1"}]
    return self_signed(name_of([("CN", host)]), alt_names=loopback, days=365 * 5, now=start)


def name_of(pairs: list[tuple[str, str]]) -> x509.Name:
    """A Name from (attribute, value) pairs, most specific first (as a subject pattern lists)."""
    try:
        attributes = [x509.NameAttribute(_ATTRIBUTES[key], value) for key, value in pairs]
    except (KeyError, ValueError) as error:
        raise InvalidRequest(f"the subject is invalid: {error}") from None
    return x509.Name(list(reversed(attributes)))


def issued_by(
    subject: x509.Name,
    ca: KeyPair,
    *,
    minutes: int,
    now: dt.datetime | None = None,
) -> KeyPair:
    """A new RSA key and an end-entity certificate for it that the CA signs, valid ``minutes``
    (a principal-propagation certificate: client authentication)."""
    ca_cert = load_certificate(ca.certificate_pem)
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.encode(), password=None)
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise InvalidRequest("the CA's key is not an RSA key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(minutes=minutes))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return KeyPair(
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=key_pem(key),
    )


def signing_request(
    subject: x509.Name, *, key_size: int = 2048, alt_names: list[dict[str, str]] | None = None
) -> tuple[str, str]:
    """A new key and a PEM certificate signing request for it: (csr_pem, private_key_pem)."""
    if key_size not in KEY_SIZES:
        raise InvalidRequest("keySize must be 2048 or 4096")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    names = _general_names(alt_names or [])
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode(), key_pem(key)

"""Where a schedule's backups come from: this instance (no ``source``), or another Cloud
Connector, SAP's or openscc, backed up through the seed's documented API.

A source is ``{"type": "connector", "url": "https://host:8443", "user": "...", "password":
"...", "certificate": "<PEM of its UI certificate, pinned>"}``, or ``"caCertificate"`` (a CA's PEM:
the connector's certificate must chain to it and name its host) instead of ``certificate``;
never unverified. The password is sealed with the schedule's other secrets and never answered.
A PUT may leave out the password (kept for the same URL and user) and the certificate or CA
(kept for the same URL).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from openscc.config import certs
from openscc.errors import InvalidRequest

CONNECTOR = "connector"
PASSWORD = "sourcePassword"  # noqa: S105 - the key of the password in the schedule's secret
MAX_PEM_CHARS = 64 * 1024

SOURCE_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {
        "type": {"const": CONNECTOR},
        "url": {"type": "string", "description": "https://host:port of the connector"},
        "user": {"type": "string"},
        "password": {"type": "string", "writeOnly": True,
                     "description": "absent: the stored one stays for the same URL and user"},
        "certificate": {"type": "string", "description": "PEM: its UI certificate, pinned; "
                        "neither this nor caCertificate: the stored trust stays for the same URL"},
        "caCertificate": {"type": "string", "description": "PEM: a CA its certificate chains to"},
    },
    "required": ["type", "url", "user"],
    "additionalProperties": False,
    "description": "another Cloud Connector to back up through its documented API; absent or "
    "null: this instance",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    user: str
    certificate: str  # PEM pinned, or ""
    ca_certificate: str  # PEM of a CA, or ""
    password: str = field(repr=False)

    @property
    def origin(self) -> str:
        """What the archives' names carry for this source (``host_port``): retention keeps each
        connector's generations apart."""
        parsed = urllib.parse.urlsplit(self.url)
        host = re.sub(r"[^a-z0-9.]", "_", (parsed.hostname or "").lower())
        return f"{host}_{parsed.port or 443}"

    def body(self) -> dict[str, str]:
        body = {"type": CONNECTOR, "url": self.url, "user": self.user}
        if self.certificate:
            body["certificate"] = self.certificate
        if self.ca_certificate:
            body["caCertificate"] = self.ca_certificate
        return body

    def view(self) -> dict[str, str]:
        """As the API answers it: the pinned certificate by its fingerprint, never the
        password."""
        view = {"type": CONNECTOR, "url": self.url, "user": self.user}
        if self.certificate:
            view["certificateSha256"] = certs.fingerprint(certs.load_certificate(self.certificate))
        if self.ca_certificate:
            view["caCertificate"] = "given"
        return view


def from_body(body: dict[str, Any], password: str) -> Source:
    return Source(
        url=str(body["url"]),
        user=str(body["user"]),
        certificate=str(body.get("certificate", "")),
        ca_certificate=str(body.get("caCertificate", "")),
        password=password,
    )


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """A source as a request gives it: its password only if given."""

    body: dict[str, Any]
    password: str | None

    def source(self, current: Source | None) -> Source:
        """The source, its password kept from ``current`` for the same URL and user, and its
        trust (the pinned certificate or the CA) for the same URL."""
        password, body = self.password, dict(self.body)
        if (
            password is None
            and current is not None
            and (current.url, current.user) == (body["url"], body["user"])
        ):
            password = current.password
        if not password:
            raise InvalidRequest("source.password is required")
        if "certificate" not in body and "caCertificate" not in body:
            if current is None or current.url != body["url"]:
                raise InvalidRequest(_NO_TRUST.format(field="source"))
            body |= {
                k: v for k, v in current.body().items() if k in ("certificate", "caCertificate")
            }
        return from_body(body, password)


# Neither given: a PUT keeps the stored trust for the same URL (SourceRequest.source).
_NO_TRUST = (
    "{field} needs certificate (the connector's UI certificate, PEM, pinned) or caCertificate "
    "(a CA's PEM): a source is never backed up unverified"
)


def parse_source(value: Any, field_name: str) -> SourceRequest | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidRequest(f"{field_name} must be an object: {{type, url, user, password, ...}}")
    unknown = sorted(set(value) - set(SOURCE_SCHEMA["properties"]))
    if unknown:
        raise InvalidRequest(f"{field_name} has unknown field(s): {', '.join(unknown)}")
    if value.get("type") != CONNECTOR:
        raise InvalidRequest(f'{field_name}.type must be "{CONNECTOR}"')
    body: dict[str, Any] = {"type": CONNECTOR, "url": _url(value.get("url"), field_name)}
    user = value.get("user")
    if not isinstance(user, str) or not user or len(user) > 256:
        raise InvalidRequest(f"{field_name}.user is the connector's user name")
    body["user"] = user
    pinned, ca = value.get("certificate"), value.get("caCertificate")
    if pinned and ca:
        raise InvalidRequest(f"{field_name} takes certificate (pinned) or caCertificate, not both")
    for name, pem in (("certificate", pinned), ("caCertificate", ca)):
        if pem:
            body[name] = _pem(pem, f"{field_name}.{name}")
    password = value.get("password")
    if password is not None and (not isinstance(password, str) or not password):
        raise InvalidRequest(f"{field_name}.password must be the user's password")
    return SourceRequest(body, password)


def _url(value: Any, field_name: str) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{field_name}.url must be the connector's https:// address")
    parsed = urllib.parse.urlsplit(value.strip())
    if parsed.scheme != "https" or not parsed.hostname or parsed.path not in ("", "/"):
        raise InvalidRequest(
            f"{field_name}.url must be https://host:port of the connector, without a path"
        )
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise InvalidRequest(f"{field_name}.url must not carry a query, fragment or credentials")
    return f"https://{parsed.netloc}"


def _pem(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_PEM_CHARS:
        raise InvalidRequest(f"{field_name} must be a PEM certificate")
    try:
        certificate = x509.load_pem_x509_certificate(value.encode())
    except ValueError:
        raise InvalidRequest(f"{field_name} is not a PEM certificate") from None
    if field_name.endswith(".certificate") and _is_ca(certificate):
        # Pinned, a CA's certificate would let every certificate it signs in, for any host.
        raise InvalidRequest(
            f"{field_name} is a CA's certificate: give it as caCertificate (the connector's "
            "certificate must then chain to it and name its host), or pin the connector's own"
        )
    return value


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return bool(constraints.value.ca)

"""The e-mail configuration: where alert e-mails go and through which SMTP server.

One singleton entity: the settings in its body, the SMTP password only in its sealed secret.
As the product documents, the values are validated only when ``enabled`` is true, so a draft can
be saved; their JSON types and lengths are always checked. Whatever is enabled has passed the
validation, and the sender (``sending_settings``) checks it again before it connects.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from email.utils import getaddresses
from typing import Any

from openscc import kinds
from openscc.config.values import Fields, Flag, String, Structured, as_int, as_str, host
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

TLS_DISABLED = "tlsDisabled"
EMAIL_TRUSTSTORE = "emailTrustStore"
JDK_AND_EMAIL_TRUSTSTORE = "jdkAndEmailTrustStore"
TRUST_ALL = "trustAll"
TRUST_OPTIONS = (TLS_DISABLED, EMAIL_TRUSTSTORE, JDK_AND_EMAIL_TRUSTSTORE, TRUST_ALL)

PASSWORD = "smtpPassword"  # noqa: S105 (the field's name, not a password)
PROPERTIES = "additionalProperties"
REQUIRED_WHEN_ENABLED = ("trustOption", "sendTo", "sendFrom", "smtpHost")
MAX_PASSWORD_CHARS = 1024
MAX_PROPERTIES = 64
MAX_RECIPIENTS = 100
# JavaMail's properties that openscc's sender honours (see docs/configuration-api.md).
IMPLICIT_TLS_PROPERTY = "mail.smtp.ssl.enable"
LOCAL_HOST_PROPERTY = "mail.smtp.localhost"
SMTPS_PORT = 465
SMTP_PORT = 25

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN = re.compile(
    r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)


def _port_as_given(value: Any, name: str) -> int | str:
    """A port as the client gave it (validated once enabled): a whole number or a short text."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidRequest(f"{name} must be a number or a string")
    if isinstance(value, str):
        text = as_str(value, name, max_length=16)
        return int(text) if text.isdigit() else text
    return value


def _properties(value: Any, _name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRequest(f"{PROPERTIES} must be a JSON object of property names and values")
    if len(value) > MAX_PROPERTIES:
        raise InvalidRequest(f"{PROPERTIES} may hold at most {MAX_PROPERTIES} properties")
    out: dict[str, Any] = {}
    for name, item in value.items():
        if not name or len(name) > 256 or not name.isprintable():
            raise InvalidRequest(
                f"{PROPERTIES} names must have 1 to 256 characters and no control characters"
            )
        if isinstance(item, str):
            # A CR or LF in a value (mail.smtp.localhost, say) would end up in an SMTP command.
            if not item.isprintable():
                raise InvalidRequest(f"{PROPERTIES}.{name} must not hold control characters")
            out[name] = as_str(item, f"{PROPERTIES}.{name}", max_length=1024)
        elif isinstance(item, bool | int) or (isinstance(item, float) and math.isfinite(item)):
            out[name] = item
        else:
            raise InvalidRequest(f"{PROPERTIES}.{name} must be a string, number or boolean")
    return out


# In the documented order of the GET answer. Null or "" removes a value (a PATCH keeps the
# others); they are validated together only once enabled is true (``_validated``).
FIELDS = Fields(
    Flag(name="enabled", required=True, description="the values are validated when true"),
    String(
        name="trustOption",
        max_length=64,
        description=f"once enabled: one of {', '.join(TRUST_OPTIONS)}",
    ),
    String(name="sendTo", max_length=4096, description="RFC 822 addresses"),
    String(name="sendCc", max_length=4096, description="RFC 822 addresses"),
    String(name="sendFrom", max_length=1024, description="one RFC 822 address"),
    String(name="smtpHost", max_length=253),
    Structured(
        name="smtpPort",
        json_schema={"type": ["integer", "string"], "maxLength": 16},
        parser=_port_as_given,
        description=f"absent: {SMTP_PORT}, or {SMTPS_PORT} for implicit TLS",
    ),
    String(name="smtpUsername", max_length=255),
    Structured(
        name=PROPERTIES,
        json_schema={
            "type": "object",
            "maxProperties": MAX_PROPERTIES,
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        parser=_properties,
        description="JavaMail properties",
    ),
    String(
        name=PASSWORD,
        max_length=MAX_PASSWORD_CHARS,
        secret=True,
        description="write-only; absent: the password stays while the user does",
    ),
)
PATCH_FIELDS = FIELDS.optional()
# What the body holds: every field but the password, which only the secret does.
_BODY_NAMES = tuple(field.name for field in FIELDS if field.name != PASSWORD)


@dataclass(frozen=True, kw_only=True, slots=True)
class EmailSettings:
    """A validated, enabled configuration, as the sender uses it."""

    trust_option: str
    send_to: str
    send_cc: str
    send_from: str
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    properties: dict[str, Any]

    @property
    def uses_tls(self) -> bool:
        return self.trust_option != TLS_DISABLED

    @property
    def implicit_tls(self) -> bool:
        """TLS from the first byte (SMTPS) rather than STARTTLS: when JavaMail's
        ``mail.smtp.ssl.enable`` is true, or on the SMTPS port 465."""
        if not self.uses_tls:
            return False
        flag = str(self.properties.get(IMPLICIT_TLS_PROPERTY, "")).strip().lower()
        return flag == "true" or self.port == SMTPS_PORT

    @property
    def local_host(self) -> str | None:
        value = self.properties.get(LOCAL_HOST_PROPERTY)
        return value if isinstance(value, str) and value else None


def stored(store: EntityStore) -> tuple[dict[str, Any], str | None]:
    """The stored body and password (({}, None) when nothing is configured)."""
    record = store.get(kinds.EMAIL, kinds.SINGLETON_KEY, with_secret=True)
    if record is None:
        return {}, None
    return dict(record.body), (record.secret or {}).get(PASSWORD)


def save(store: EntityStore, body: dict[str, Any], password: str | None) -> None:
    store.put(
        EntityRecord(
            kind=kinds.EMAIL,
            key=kinds.SINGLETON_KEY,
            parent=None,
            body=body,
            secret={PASSWORD: password} if password else None,
        )
    )


def view(body: dict[str, Any]) -> dict[str, Any]:
    """The GET answer: what is set, in the documented order; never the password."""
    out: dict[str, Any] = {"enabled": bool(body.get("enabled", False))}
    for name in _BODY_NAMES[1:]:
        if name in body:
            out[name] = body[name]
    return out


def replaced(
    data: dict[str, Any], old: dict[str, Any], old_password: str | None
) -> tuple[dict[str, Any], str | None]:
    """PUT: the configuration the request gives, whole. The password may be left out while the
    user stays the same (a client cannot read it back to send it again); "" removes it."""
    _check_names(data)
    values = FIELDS.read(data)
    body = _applied({}, data, values)
    same_user = bool(body.get("smtpUsername")) and body.get("smtpUsername") == old.get(
        "smtpUsername"
    )
    password = _password(data, values, old_password if same_user else None)
    return _finished(body, password)


def changed(
    data: dict[str, Any], old: dict[str, Any], old_password: str | None
) -> tuple[dict[str, Any], str | None]:
    """PATCH: the stored configuration with the values the request gives; null removes one."""
    _check_names(data)
    values = PATCH_FIELDS.read(data)
    body = _applied(dict(old), data, values)
    return _finished(body, _password(data, values, old_password))


def sending_settings(body: dict[str, Any], password: str | None) -> EmailSettings | None:
    """The settings to send with, or None while sending is disabled; 400 if they are invalid."""
    if not body.get("enabled"):
        return None
    checked = _validated(body)
    port = checked.get("smtpPort")
    return EmailSettings(
        trust_option=checked["trustOption"],
        send_to=checked["sendTo"],
        send_cc=checked.get("sendCc", ""),
        send_from=checked["sendFrom"],
        host=checked["smtpHost"],
        port=port
        if isinstance(port, int)
        else (SMTPS_PORT if _wants_implicit(checked) else SMTP_PORT),
        username=checked.get("smtpUsername", ""),
        password=password or "",
        properties=dict(checked.get(PROPERTIES, {})),
    )


def addresses(value: str, name: str) -> list[str]:
    """The addresses of an RFC 822 address list ("a@x.org, Jane Doe <j@y.org>"); 400 unless
    every entry is one plain ASCII address."""
    if _CONTROL.search(value):
        raise InvalidRequest(f"{name} must not contain control characters (line breaks)")
    found = getaddresses([value])
    if not found or len(found) > MAX_RECIPIENTS:
        raise InvalidRequest(f"{name} must hold 1 to {MAX_RECIPIENTS} e-mail addresses")
    out = []
    for _display_name, address in found:
        local, at, domain = address.rpartition("@")
        if not at or not _LOCAL_PART.match(local) or not _valid_domain(domain):
            raise InvalidRequest(f"{name} is not a list of e-mail addresses in RFC 822 format")
        out.append(address)
    return out


def _valid_domain(domain: str) -> bool:
    if domain.startswith("[") and domain.endswith("]"):
        try:
            ipaddress.ip_address(domain[1:-1].removeprefix("IPv6:"))
        except ValueError:
            return False
        return True
    return len(domain) <= 253 and bool(_DOMAIN.match(domain))


def _check_names(data: dict[str, Any]) -> None:
    if not data:
        raise InvalidRequest("the request is empty: give the e-mail configuration")
    unknown = sorted(set(data) - {field.name for field in FIELDS})
    if unknown:
        raise InvalidRequest(f"unknown field {unknown[0]!r} in the e-mail configuration")


def _applied(body: dict[str, Any], data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``body`` with each field the request names set to its value read, or removed when null
    or "" (``enabled``: null is false)."""
    for name in data:
        value = values[name]
        if name == PASSWORD:
            continue  # kept in the secret
        if name == "enabled":
            body[name] = bool(value)
        elif value is None or value == "":
            body.pop(name, None)
        else:
            body[name] = value
    body.setdefault("enabled", False)
    return body


def _password(data: dict[str, Any], values: dict[str, Any], kept: str | None) -> str | None:
    """The password the request gives ("" or null: none), else the one kept."""
    if PASSWORD not in data:
        return kept
    return values[PASSWORD] or None


def _finished(body: dict[str, Any], password: str | None) -> tuple[dict[str, Any], str | None]:
    if not body.get("smtpUsername"):
        password = None  # a password without a user is never sent
    if body["enabled"]:
        body = _validated(body)
    return {name: body[name] for name in _BODY_NAMES if name in body}, password


def _validated(body: dict[str, Any]) -> dict[str, Any]:
    """The checks of an enabled configuration (400 on the first that fails); the port as an
    integer."""
    for name in REQUIRED_WHEN_ENABLED:
        if not body.get(name):
            raise InvalidRequest(f"{name} is required when enabled is true")
    if body["trustOption"] not in TRUST_OPTIONS:
        raise InvalidRequest(f"trustOption must be one of {', '.join(TRUST_OPTIONS)}")
    addresses(body["sendTo"], "sendTo")
    if len(addresses(body["sendFrom"], "sendFrom")) != 1:
        raise InvalidRequest("sendFrom must be one e-mail address")
    if body.get("sendCc"):
        addresses(body["sendCc"], "sendCc")
    _smtp_host(body["smtpHost"])
    checked = dict(body)
    if "smtpPort" in body:
        checked["smtpPort"] = as_int(body["smtpPort"], "smtpPort", minimum=1, maximum=65535)
    return checked


def _smtp_host(value: str) -> None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        host(value, "smtpHost")


def _wants_implicit(body: dict[str, Any]) -> bool:
    flag = str(body.get(PROPERTIES, {}).get(IMPLICIT_TLS_PROPERTY, "")).strip().lower()
    return body.get("trustOption") != TLS_DISABLED and flag == "true"

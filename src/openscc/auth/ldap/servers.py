"""One LDAP server configuration, as the API reads and shows it and as the store keeps it.

The API's object is ``{id, config, hosts, user, password, customAdminRole, customSubadminRole,
customDisplayRole, customMonitoringRole, customSupportRole}``; openscc adds ``caCertificate``
(PEM): the CA certificates a TLS connection to this server is verified with.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from openscc.auth.ldap.rules import SearchRules, parse_rules
from openscc.auth.roles import (
    ADMIN,
    ASSOCIATE_ADMIN,
    DISPLAY,
    MONITORING,
    ROLE_NAMES,
    SUBACCOUNT_ADMIN,
    SUPPORT,
)
from openscc.config.values import as_bool, as_int, as_str, host, present
from openscc.errors import InvalidRequest

MASK = "***"  # the password as a read shows it; sent back, it keeps the stored one
MAX_HOSTS = 2  # a host and its alternate
MAX_CA_PEM_CHARS = 64 * 1024
# The API's fields for role names, and the role each names.
CUSTOM_ROLE_FIELDS = {
    "customAdminRole": ADMIN,
    "customSubadminRole": SUBACCOUNT_ADMIN,
    "customDisplayRole": DISPLAY,
    "customMonitoringRole": MONITORING,
    "customSupportRole": SUPPORT,
}
# The group names each role has unless a custom name replaces it (the rest-apis page: the
# Administrator's technical role is "admin or sccadmin").
DEFAULT_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    ADMIN: ("sccadmin", "admin"),
    ASSOCIATE_ADMIN: ("sccassocadmin",),
    SUBACCOUNT_ADMIN: ("sccsubadmin",),
    SUPPORT: ("sccsupport",),
    DISPLAY: ("sccdisplay",),
    MONITORING: ("sccmonitoring",),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Host:
    host: str
    port: int
    secure: bool  # LDAPS

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, kw_only=True, slots=True)
class LdapServer:
    id: str
    config: str
    rules: SearchRules
    hosts: tuple[Host, ...]
    user: str  # the connection user ("" for anonymous searches)
    password: str | None = field(repr=False)
    custom_roles: tuple[tuple[str, str], ...]  # (API field, group name)
    ca_certificate: str | None  # PEM; None: the system's CA certificates

    def body(self) -> dict[str, Any]:
        """What the store keeps in the entity's body (never the password)."""
        body: dict[str, Any] = {
            "config": self.config,
            "hosts": [
                {"host": h.host, "port": str(h.port), "isSecure": h.secure} for h in self.hosts
            ],
            "user": self.user,
        }
        body.update(dict(self.custom_roles))
        if self.ca_certificate is not None:
            body["caCertificate"] = self.ca_certificate
        return body

    def view(self, *, with_id: bool = True) -> dict[str, Any]:
        """The API's object: the password only as the mask."""
        body = self.body()
        if self.password:
            body["password"] = MASK
        return {"id": self.id, **body} if with_id else body

    def roles_of(self, groups: Iterable[str]) -> frozenset[str]:
        """The roles the directory's group (role) names grant, as Tomcat compares them: exactly."""
        names = set(groups)
        custom = {CUSTOM_ROLE_FIELDS[f]: name for f, name in self.custom_roles}
        return frozenset(
            role
            for role in ROLE_NAMES
            if names.intersection((custom[role],) if role in custom else DEFAULT_ROLE_NAMES[role])
        )


def parse_server(data: Any, *, server_id: str, previous: LdapServer | None) -> LdapServer:
    """A server from the API's object; 400 naming what is wrong. A password that is missing or the
    mask keeps ``previous``'s when the user is unchanged."""
    if not isinstance(data, dict):
        raise InvalidRequest("an LDAP configuration must be a JSON object")
    if not present(data, "config"):
        raise InvalidRequest("config is required")
    config = as_str(data["config"], "config", max_length=8192)
    rules = parse_rules(config)
    hosts = _hosts(data.get("hosts"))
    user = _text(data, "user", 1024)
    password = data.get("password")
    if password is not None:
        password = as_str(password, "password", max_length=1024)
    if not user:
        password = None
    elif password in (None, MASK):
        password = previous.password if previous is not None and previous.user == user else None
        if password is None:
            raise InvalidRequest("password is required when user is set")
    elif password == "":
        raise InvalidRequest("password must not be empty when user is set")
    custom = tuple(
        (name, value.strip())
        for name in CUSTOM_ROLE_FIELDS
        if (value := _text(data, name, 256)).strip()
    )
    ca = _ca_certificate(data.get("caCertificate"))
    return LdapServer(
        id=server_id,
        config=config,
        rules=rules,
        hosts=hosts,
        user=user,
        password=password,
        custom_roles=custom,
        ca_certificate=ca,
    )


def _text(data: dict[str, Any], name: str, max_length: int) -> str:
    value = data.get(name)
    return "" if value is None else as_str(value, name, max_length=max_length)


def _hosts(value: Any) -> tuple[Host, ...]:
    if value is None:
        raise InvalidRequest("hosts is required")
    if not isinstance(value, list) or not 0 < len(value) <= MAX_HOSTS:
        raise InvalidRequest("hosts must be a list of one or two hosts (a host and its alternate)")
    hosts = []
    for index, entry in enumerate(value):
        where = f"hosts[{index}]"
        if not isinstance(entry, dict):
            raise InvalidRequest(f"{where} must be an object {{host, port, isSecure}}")
        if not present(entry, "host"):
            raise InvalidRequest(f"{where}.host is required")
        name = host(as_str(entry["host"], f"{where}.host", max_length=253).strip(), f"{where}.host")
        secure = (
            as_bool(entry["isSecure"], f"{where}.isSecure") if present(entry, "isSecure") else False
        )
        port = (
            as_int(entry["port"], f"{where}.port", minimum=1, maximum=65535)
            if present(entry, "port") and str(entry["port"]).strip()
            else (636 if secure else 389)
        )
        hosts.append(Host(host=name, port=port, secure=secure))
    return tuple(hosts)


def _ca_certificate(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    pem = as_str(value, "caCertificate", max_length=MAX_CA_PEM_CHARS)
    try:
        found = x509.load_pem_x509_certificates(pem.encode())
        ssl.create_default_context(cadata=pem)
    except (ValueError, ssl.SSLError):
        raise InvalidRequest("caCertificate must hold PEM-encoded X.509 certificates") from None
    if not found:
        raise InvalidRequest("caCertificate must hold PEM-encoded X.509 certificates")
    return pem

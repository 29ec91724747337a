"""One LDAP server configuration, as the API reads and shows it and as the store keeps it.

The API's object is ``{id, config, hosts, user, password, customAdminRole, customSubadminRole,
customDisplayRole, customMonitoringRole, customSupportRole}``; openscc adds ``caCertificate``
(PEM): the CA certificates a TLS connection to this server is verified with.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography import x509

from openscc.auth.ldap.rules import MAX_RULES_CHARS, SearchRules, parse_rules
from openscc.auth.roles import (
    ADMIN,
    ASSOCIATE_ADMIN,
    DISPLAY,
    MONITORING,
    ROLE_NAMES,
    SUBACCOUNT_ADMIN,
    SUPPORT,
)
from openscc.config.values import (
    Fields,
    Structured,
    Text,
    as_bool,
    as_int,
    as_str,
    host,
    present,
)
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


def _hosts(value: Any, field_name: str) -> tuple[Host, ...]:
    if not isinstance(value, list) or not 0 < len(value) <= MAX_HOSTS:
        raise InvalidRequest(
            f"{field_name} must be a list of one or two hosts (a host and its alternate)"
        )
    hosts = []
    for index, entry in enumerate(value):
        where = f"{field_name}[{index}]"
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


_HOSTS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "host": {"type": "string", "maxLength": 253},
            "port": {"type": ["string", "integer"], "description": "default 389, or 636 for LDAPS"},
            "isSecure": {"type": ["boolean", "string"], "description": "LDAPS"},
        },
        "required": ["host"],
    },
    "minItems": 1,
    "maxItems": MAX_HOSTS,
}
SERVER_FIELDS = Fields(
    Text(name="id", description="a stored server's id: that server changes (in a list); "
         "a new server gets its own"),
    Text(name="config", required=True, max_length=MAX_RULES_CHARS,
         description="the search rules: Tomcat JNDIRealm attributes"),
    Structured(name="hosts", required=True, json_schema=_HOSTS_SCHEMA, parser=_hosts),
    Text(name="user", default="", max_length=1024,
         description="the connection user; empty: anonymous searches"),
    Text(name="password", secret=True, max_length=1024,
         description=f"absent or {MASK}: the stored one stays while the user is the same"),
    *(Text(name=name, default="", max_length=256) for name in CUSTOM_ROLE_FIELDS),
    Text(name="caCertificate", max_length=MAX_CA_PEM_CHARS,
         description="PEM: the CA certificates TLS to this server is verified with"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ServerRequest:
    """A server as a request gives it, checked; which stored server it replaces settles its id
    and password (``server``)."""

    given_id: str | None
    checked: LdapServer  # no id, no password yet
    password: str | None = field(repr=False)  # None or the mask: the stored one stays

    def server(self, *, server_id: str, previous: LdapServer | None) -> LdapServer:
        """The server with its id; a password that is missing or the mask keeps ``previous``'s
        when the user is unchanged."""
        user, password = self.checked.user, self.password
        if not user:
            password = None
        elif password in (None, MASK):
            password = previous.password if previous is not None and previous.user == user else None
            if password is None:
                raise InvalidRequest("password is required when user is set")
        return replace(self.checked, id=server_id, password=password)


def read_server(data: dict[str, Any]) -> ServerRequest:
    """A server from the API's object; 400 naming what is wrong."""
    values = SERVER_FIELDS.read(data)
    if values["user"] and values["password"] == "":
        raise InvalidRequest("password must not be empty when user is set")
    checked = LdapServer(
        id="",
        config=values["config"],
        rules=parse_rules(values["config"]),
        hosts=values["hosts"],
        user=values["user"],
        password=None,
        custom_roles=tuple(
            (name, values[name].strip()) for name in CUSTOM_ROLE_FIELDS if values[name].strip()
        ),
        ca_certificate=_ca_certificate(values["caCertificate"]),
    )
    return ServerRequest(values["id"], checked, values["password"])


@contextmanager
def located(where: str) -> Iterator[None]:
    """A 400 raised inside says where in the body it is (``configuration``, a list's entry)."""
    try:
        yield
    except InvalidRequest as error:
        raise InvalidRequest(f"{where}: {error.message}") from None


def nested_server(value: Any, where: str) -> ServerRequest:
    """A server inside a body: API v1's ``configuration``, an entry of v2's list."""
    with located(where):
        if not isinstance(value, dict):
            raise InvalidRequest("an LDAP configuration must be a JSON object")
        return read_server(value)


def parse_server(data: Any, *, server_id: str, previous: LdapServer | None) -> LdapServer:
    """A server from the API's object (as the store keeps it, or a request gives it)."""
    if not isinstance(data, dict):
        raise InvalidRequest("an LDAP configuration must be a JSON object")
    return read_server(data).server(server_id=server_id, previous=previous)


def _ca_certificate(pem: str | None) -> str | None:
    if pem is None or not pem.strip():
        return None
    try:
        found = x509.load_pem_x509_certificates(pem.encode())
        ssl.create_default_context(cadata=pem)
    except (ValueError, ssl.SSLError):
        raise InvalidRequest("caCertificate must hold PEM-encoded X.509 certificates") from None
    if not found:
        raise InvalidRequest("caCertificate must hold PEM-encoded X.509 certificates")
    return pem

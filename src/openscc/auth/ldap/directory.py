"""The directory protocol: finding a user, checking their password by a bind, reading their groups.

Everything here blocks on the network, so it only ever runs in a worker thread (see
``openscc.auth.ldap.logons``), never on the event loop or in the store thread. Every connection
has a connect and an answer timeout, and a call as a whole stops at its deadline.

TLS (LDAPS, or StartTLS when the rules say ``useStartTls="true"``) is always verified: the
server's certificate must chain to the configuration's CA certificate (or, without one, to the
system's CAs) and name the host. There is no switch to turn verification off.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from openscc.auth.ldap.rules import SearchRules
from openscc.auth.ldap.servers import Host, LdapServer

logger = logging.getLogger("openscc.auth")

_SUCCESS = 0
_SIZE_LIMIT_EXCEEDED = 4
_NO_SUCH_OBJECT = 32
_INVALID_CREDENTIALS = 49
_MAX_NESTING = 8  # levels of nested groups read with roleNested
_MAX_ENTRIES = 1000  # entries one search may return


class Unusable(Exception):
    """A host or server cannot be used now: no answer, TLS refused, the connection user refused.
    The message is for administrators (logs, the configuration's 409); it holds no secret."""


@dataclass(frozen=True, slots=True)
class Found:
    """The user authenticated on a server: their entry's DN and the role names read for them."""

    server_id: str
    dn: str
    groups: frozenset[str]


@dataclass(frozen=True, slots=True)
class Outcome:
    found: Found | None
    # Some server answered and refused the name or password (it counts as a failed logon).
    refused: bool
    # Servers that could not be used, and why.
    unusable: tuple[str, ...]


class _VerifiedTls(ldap3.Tls):
    """ldap3's TLS with Python's own verification: the chain against the configured CAs (or the
    system's) and the host name, during the handshake."""

    def __init__(self, ca_pem: str | None, host_name: str) -> None:
        super().__init__(validate=ssl.CERT_REQUIRED)
        context = (
            ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
        )
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context = context
        self._host_name = host_name

    def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
        connection.socket = self._context.wrap_socket(
            connection.socket,
            server_side=False,
            do_handshake_on_connect=do_handshake,
            server_hostname=self._host_name,
        )


def _reason(error: BaseException) -> str:
    """A short reason for an administrator (never a secret: ldap3's messages hold none)."""
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "the server's TLS certificate is not trusted (check caCertificate and the host name)"
    if isinstance(error, socket.timeout) or "timed out" in text:
        return "no answer in time"
    if "refused" in text:
        return "connection refused"
    return text[:200] or type(error).__name__


class _Session:
    """One connection to one host, with the server's rules and the call's deadline."""

    def __init__(self, server: LdapServer, host: Host, address: str, deadline: float) -> None:
        self.server = server
        self.rules: SearchRules = server.rules
        self.host = host
        self.deadline = deadline
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unusable(f"{host}: no time left to try it")
        start_tls = self.rules.use_start_tls and not host.secure
        tls = _VerifiedTls(server.ca_certificate, host.host) if host.secure or start_tls else None
        # One resolved address per session (so every socket is ours to close); TLS verifies the
        # configured host name, whatever address it resolved to.
        ldap_server = ldap3.Server(
            address,
            port=host.port,
            use_ssl=host.secure,
            tls=tls,
            get_info=ldap3.NONE,
            connect_timeout=min(self.rules.connection_timeout_ms / 1000, remaining),
        )
        self.connection = ldap3.Connection(
            ldap_server,
            auto_bind=ldap3.AUTO_BIND_NONE,
            # Whole seconds: ldap3 sets it as the socket's SO_RCVTIMEO.
            receive_timeout=max(1, int(min(self.rules.read_timeout_ms / 1000, remaining))),
            raise_exceptions=False,
            read_only=True,
            auto_referrals=False,
        )
        try:
            self.connection.open()
            # StartTLS either succeeds or raises; never go on in plain text.
            if start_tls and not self.connection.start_tls():
                raise Unusable(f"{host}: StartTLS was refused")
        except (LDAPException, OSError) as error:
            self.close()
            raise Unusable(f"{host}: {_reason(error)}") from None

    def close(self) -> None:
        with contextlib.suppress(LDAPException, OSError):
            self.connection.unbind()
        sock = getattr(self.connection, "socket", None)
        if sock is not None:  # ldap3 leaves a socket that failed to connect open
            sock.close()

    def bind(self, name: str | None, password: str | None) -> bool:
        """Bind as ``name`` (anonymously for None); False for refused credentials."""
        connection = self.connection
        try:
            if name:
                if not password:  # an empty password would be an unauthenticated bind
                    return False
                ok = connection.rebind(user=name, password=password, authentication=ldap3.SIMPLE)
            else:
                connection.user, connection.password = None, None
                ok = connection.rebind(authentication=ldap3.ANONYMOUS)
        except (LDAPException, OSError) as error:
            # A server that accepts and never answers, or drops the connection: unreachable.
            raise Unusable(f"{self.host}: the bind got no answer ({_reason(error)})") from None
        if ok:
            return True
        code = connection.result.get("result") if connection.result else None
        if code in (_INVALID_CREDENTIALS, 53):  # 53: unwillingToPerform (e.g. a locked account)
            return False
        if code is None:
            raise Unusable(f"{self.host}: the bind got no answer")
        raise Unusable(f"{self.host}: bind failed ({connection.result.get('description')})")

    def bind_connection_user(self) -> None:
        """Bind as the configuration's connection user, or anonymously without one."""
        if not self.bind(self.server.user or None, self.server.password):
            raise Unusable(f"{self.host}: the connection user {self.server.user!r} was refused")

    def search(
        self,
        base: str,
        search_filter: str,
        *,
        subtree: bool,
        attributes: list[str],
        base_only: bool = False,
    ) -> list[tuple[str, dict[str, Any]]]:
        """(DN, attributes) of each entry found; a missing base finds nothing."""
        if time.monotonic() >= self.deadline:
            raise Unusable(f"{self.host}: no answer in time")
        scope = ldap3.BASE if base_only else ldap3.SUBTREE if subtree else ldap3.LEVEL
        connection = self.connection
        try:
            connection.search(
                base,
                search_filter,
                search_scope=scope,
                attributes=attributes or ldap3.NO_ATTRIBUTES,
                size_limit=_MAX_ENTRIES,
                time_limit=max(1, self.rules.read_timeout_ms // 1000),
            )
        except (LDAPException, OSError) as error:
            raise Unusable(f"{self.host}: {_reason(error)}") from None
        code = connection.result.get("result") if connection.result else None
        if code not in (_SUCCESS, _NO_SUCH_OBJECT, _SIZE_LIMIT_EXCEEDED):
            raise Unusable(f"{self.host}: search refused ({connection.result.get('description')})")
        return [
            (entry["dn"], dict(entry.get("attributes", {})))
            for entry in connection.response or []
            if entry.get("type") == "searchResEntry"
        ]


def _values(attributes: dict[str, Any], name: str | None) -> list[str]:
    if not name:
        return []
    for key, value in attributes.items():
        if key.lower() == name.lower():
            items = value if isinstance(value, list) else [value]
            return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in items]
    return []


def _attributes_wanted(rules: SearchRules) -> list[str]:
    return [a for a in (rules.user_role_name, rules.user_role_attribute) if a]


def _find_user(session: _Session, name: str, password: str) -> tuple[str, dict[str, Any]] | None:
    """The user's DN and entry attributes, their password checked by a bind; None if the name is
    unknown, ambiguous or the password wrong."""
    rules = session.rules
    wanted = _attributes_wanted(rules)
    if rules.user_pattern is not None:
        dn = rules.user_pattern.replace("{0}", escape_rdn(name))
        if not session.bind(dn, password):
            return None
        entries = session.search(
            dn, "(objectClass=*)", subtree=False, attributes=wanted, base_only=True
        )
        return dn, entries[0][1] if entries else {}
    assert rules.user_search is not None
    if rules.user_search_as_user:
        if not session.bind(name, password):
            return None
    else:
        session.bind_connection_user()
    search_filter = rules.user_search.replace("{0}", escape_filter_chars(name))
    entries = session.search(
        rules.user_base, search_filter, subtree=rules.user_subtree, attributes=wanted
    )
    if len(entries) != 1:  # unknown, or not unique (Tomcat refuses both)
        return None
    dn, attributes = entries[0]
    if not rules.user_search_as_user and not session.bind(dn, password):
        return None
    return dn, attributes


def _groups(session: _Session, name: str, dn: str, attributes: dict[str, Any]) -> frozenset[str]:
    """The role names of the user: values of userRoleName, and roleName of the groups roleSearch
    finds (with roleNested, of the groups those are members of too)."""
    rules = session.rules
    groups = set(_values(attributes, rules.user_role_name))
    if rules.role_search is None:
        return frozenset(groups)
    role_value = next(iter(_values(attributes, rules.user_role_attribute)), "")
    frontier = [(dn, name, role_value)]
    seen: set[str] = set()
    for _ in range(_MAX_NESTING if rules.role_nested else 1):
        found = []
        for member_dn, member_name, value in frontier:
            search_filter = (
                rules.role_search.replace("{0}", escape_filter_chars(member_dn))
                .replace("{1}", escape_filter_chars(member_name))
                .replace("{2}", escape_filter_chars(value))
            )
            for group_dn, group_attributes in session.search(
                rules.role_base,
                search_filter,
                subtree=rules.role_subtree,
                attributes=[rules.role_name] if rules.role_name else [],
            ):
                names = _values(group_attributes, rules.role_name)
                groups.update(names)
                if group_dn.lower() not in seen:
                    seen.add(group_dn.lower())
                    found.append((group_dn, names[0] if names else "", ""))
        if not found:
            break
        frontier = found
    return frozenset(groups)


def _on_each_host(server: LdapServer, deadline: float, work: Any) -> Any:
    """``work(session)`` on the first host that answers (the alternate when the first does not)."""
    reasons = []
    for host in server.hosts:
        try:
            addresses = _addresses(host)
        except Unusable as error:
            reasons.append(str(error))
            continue
        for address in addresses:
            try:
                session = _Session(server, host, address, deadline)
            except Unusable as error:
                reasons.append(str(error))
                continue
            try:
                return work(session)
            except Unusable as error:
                reasons.append(str(error))
            finally:
                session.close()
    raise Unusable("; ".join(dict.fromkeys(reasons)))


def _addresses(host: Host) -> list[str]:
    """The host's addresses, each once, in the resolver's order."""
    try:
        found = socket.getaddrinfo(host.host, host.port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Unusable(f"{host}: the name cannot be resolved ({error.strerror or error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def authenticate(
    servers: tuple[LdapServer, ...], name: str, password: str, *, timeout_seconds: float
) -> Outcome:
    """Try the servers in order; the first that authenticates the user decides (as the product
    does). A server that refuses the user lets the next one try."""
    deadline = time.monotonic() + timeout_seconds
    refused = False
    unusable = []
    for server in servers:

        def attempt(session: _Session, server: LdapServer = server) -> Found | None:
            user = _find_user(session, name, password)
            if user is None:
                return None
            dn, attributes = user
            if session.rules.role_search is not None and not session.rules.role_search_as_user:
                session.bind_connection_user()
            return Found(server.id, dn, _groups(session, name, dn, attributes))

        try:
            found = _on_each_host(server, deadline, attempt)
        except Unusable as error:
            unusable.append(f"LDAP server {server.id}: {error}")
            continue
        if found is not None:
            return Outcome(found=found, refused=refused, unusable=tuple(unusable))
        refused = True
    return Outcome(found=None, refused=refused, unusable=tuple(unusable))


def reread_groups(
    server: LdapServer, dn: str, name: str, *, timeout_seconds: float
) -> frozenset[str] | None:
    """The user's role names now, read with the connection user; None if their entry is gone.
    Raises Unusable when the server cannot be asked."""
    deadline = time.monotonic() + timeout_seconds

    def reread(session: _Session) -> frozenset[str] | None:
        session.bind_connection_user()
        wanted = _attributes_wanted(session.rules)
        entries = session.search(
            dn, "(objectClass=*)", subtree=False, attributes=wanted, base_only=True
        )
        if not entries:
            return None
        return _groups(session, name, dn, entries[0][1])

    result: frozenset[str] | None = _on_each_host(server, deadline, reread)
    return result


def probe(server: LdapServer, *, timeout_seconds: float) -> None:
    """Check that the server answers on one of its hosts, over verified TLS where configured, and
    accepts its connection user. Raises Unusable saying why not."""
    deadline = time.monotonic() + timeout_seconds
    _on_each_host(server, deadline, lambda session: session.bind_connection_user())

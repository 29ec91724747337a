"""The directory protocol: finding a user, checking their password by a bind, reading their groups.

Everything here blocks on the network, so it only ever runs in a worker thread (see
``openscc.auth.ldap.logons``), never on the event loop or in the store thread. Every connection
has a connect and an answer timeout, and a call as a whole stops at its deadline.

TLS (LDAPS, or StartTLS when the rules say ``useStartTls="true"``) is always verified: the
server's certificate must chain to the configuration's CA certificate (or, without one, to the
system's CAs) and name the host; there is no switch to turn verification off
(``openscc.auth.ldap.connection``, one connection to one host).
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass
from typing import Any

from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from openscc.auth.ldap.connection import Session, Unusable
from openscc.auth.ldap.rules import SearchRules
from openscc.auth.ldap.servers import Host, LdapServer

logger = logging.getLogger("openscc.auth")

_MAX_NESTING = 8  # levels of nested groups read with roleNested


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


def _find_user(session: Session, name: str, password: str) -> tuple[str, dict[str, Any]] | None:
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


def _groups(session: Session, name: str, dn: str, attributes: dict[str, Any]) -> frozenset[str]:
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
                session = Session(server, host, address, deadline)
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

        def attempt(session: Session, server: LdapServer = server) -> Found | None:
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

    def reread(session: Session) -> frozenset[str] | None:
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

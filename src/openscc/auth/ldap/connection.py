"""One connection to one directory host: opened within the call's deadline, TLS always
verified (the chain against the configuration's CA certificate, or the system's, and the host
name), a bind, the connection user's bind, a bounded search. Blocking: a worker calls it."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException

from openscc.auth.ldap.rules import SearchRules
from openscc.auth.ldap.servers import Host, LdapServer

_SUCCESS = 0
_SIZE_LIMIT_EXCEEDED = 4
_NO_SUCH_OBJECT = 32
_INVALID_CREDENTIALS = 49
_MAX_ENTRIES = 1000  # entries one search may return


class Unusable(Exception):
    """A host or server cannot be used now: no answer, TLS refused, the connection user refused.
    The message is for administrators (logs, the configuration's 409); it holds no secret."""


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


class Session:
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

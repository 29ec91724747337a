"""A real SMTP server on loopback for the alert tests: aiosmtpd, with a test CA of its own.

    pki = MailPki.make()                      # a CA and a server certificate for 127.0.0.1
    with SmtpServer(pki, tls="starttls", users={"alerts": "pw"}) as server:
        ...                                   # server.port; server.wait_for(1) -> [EmailMessage]

``tls`` is "starttls" (STARTTLS offered and required before MAIL), "implicit" (TLS from the first
byte) or "none" (plain SMTP). With ``users``, AUTH is required (and only offered over TLS; with implicit TLS it is offered but
not required, an aiosmtpd limitation).
The server runs in a thread of its own (aiosmtpd's Controller): no process is started.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "openscc tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def make_ca(
    common_name: str = "Test Mail CA", *, days: int = 365
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A CA certificate valid for ``days`` (from an hour ago) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


@dataclass(frozen=True)
class MailPki:
    ca_pem: str
    server_cert_pem: str
    server_key_pem: str

    @classmethod
    def make(cls, host: str = HOST) -> MailPki:
        """A CA and a server certificate it issued for ``host`` (an IP address SAN)."""
        ca, ca_key = make_ca()
        key = ec.generate_private_key(ec.SECP256R1())
        start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls(ca_pem=_pem(ca), server_cert_pem=_pem(cert), server_key_pem=key_pem)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:
            cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert.write_text(self.server_cert_pem)
            key.write_text(self.server_key_pem)
            context.load_cert_chain(cert, key)
        return context


class _Mailbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 OK"


class _Controller(Controller):
    """aiosmtpd's Controller, closing its open sessions before it stops (its own stop leaves
    them to the garbage collector, which warns about each)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        session = super().factory()
        self.sessions.append(session)
        return session

    def stop(self, no_assert: bool = False) -> None:
        async def close_sessions() -> None:
            for session in self.sessions:
                if session.transport is not None and not session.transport.is_closing():
                    session.transport.close()
            await asyncio.sleep(0.05)  # let the transports finish closing

        if self._thread is not None:
            asyncio.run_coroutine_threadsafe(close_sessions(), self.loop).result(5)
        super().stop(no_assert)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpServer:
    def __init__(
        self, pki: MailPki, *, tls: str = "starttls", users: dict[str, str] | None = None
    ) -> None:
        if tls not in ("starttls", "implicit", "none"):
            raise ValueError("tls is starttls, implicit or none")
        self.mailbox = _Mailbox()
        self.port = _free_port()
        self.logins: list[str] = []
        options: dict[str, Any] = {}
        if tls == "starttls":
            options.update(tls_context=pki.server_context(), require_starttls=True)
        elif tls == "implicit":
            options.update(ssl_context=pki.server_context())
        if users is not None:
            # aiosmtpd knows only STARTTLS as TLS: on an implicit-TLS port it must be told AUTH
            # may go without (it is over TLS there all the same), and then cannot require AUTH.
            implicit = tls == "implicit"
            options.update(
                authenticator=self._authenticator(users),
                auth_required=not implicit,
                auth_require_tls=not implicit,
            )
        self._controller = _Controller(self.mailbox, hostname=HOST, port=self.port, **options)

    def _authenticator(self, users: dict[str, str]) -> Any:
        def check(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            if isinstance(data, LoginPassword):
                login, password = data.login.decode(), data.password.decode()
                if users.get(login) == password:
                    self.logins.append(login)
                    return AuthResult(success=True)
            return AuthResult(success=False, handled=False)

        return check

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages received, once there are ``count``; AssertionError after ``timeout``."""
        with self.mailbox.arrived:
            arrived = self.mailbox.arrived.wait_for(
                lambda: len(self.mailbox.messages) >= count, timeout
            )
            assert arrived, f"{len(self.mailbox.messages)} of {count} e-mails arrived"
            return list(self.mailbox.messages)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.mailbox.arrived:
            return list(self.mailbox.messages)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()

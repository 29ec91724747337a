"""Sending one e-mail through the configured SMTP server: the alerts' I/O edge (blocking; the
service calls it in its mail thread, never on the event loop or in the store thread).

TLS follows ``trustOption``:

``tlsDisabled``            plain SMTP: no TLS, no certificates
``emailTrustStore``        TLS required; the server's certificate must chain to (or be) one of
                           the e-mail trust store's certificates, and name the SMTP host
``jdkAndEmailTrustStore``  the same, with the system's CA certificates trusted as well
``trustAll``               TLS required, the certificate not verified: configured explicitly, and
                           every such send logs a warning

TLS is STARTTLS (required: a server that does not offer it is refused, never fallen back from)
unless implicit TLS is configured (port 465, or JavaMail's ``mail.smtp.ssl.enable``). TLS 1.2 at
least. With ``smtpUsername`` the client logs on (over TLS, unless TLS is disabled).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from openscc.config.email import (
    EMAIL_TRUSTSTORE,
    JDK_AND_EMAIL_TRUSTSTORE,
    TLS_DISABLED,
    TRUST_ALL,
    EmailSettings,
)
from openscc.errors import OpensccError
from openscc.logsafe import shown

logger = logging.getLogger("openscc.alerts")


class MailRefused(Exception):
    """openscc refuses to send as configured (before or instead of sending)."""


def tls_context(settings: EmailSettings, trusted_pems: Sequence[str]) -> ssl.SSLContext | None:
    """The TLS context ``trustOption`` asks for; None when TLS is disabled."""
    option = settings.trust_option
    if option == TLS_DISABLED:
        return None
    if option == TRUST_ALL:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif option in (EMAIL_TRUSTSTORE, JDK_AND_EMAIL_TRUSTSTORE):
        if option == JDK_AND_EMAIL_TRUSTSTORE:
            context = ssl.create_default_context()
        elif trusted_pems:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, checks the host name
        else:
            raise MailRefused(
                "trustOption is emailTrustStore but the e-mail trust store is empty: add the "
                "SMTP server's CA certificate to it"
            )
        if trusted_pems:
            context.load_verify_locations(cadata="\n".join(trusted_pems))
        # A trusted certificate may be the server's own or an intermediate, as the product
        # documents, not only a root.
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    else:
        raise MailRefused(f"trustOption {shown(option, 64)} is unknown")
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def send(
    message: EmailMessage,
    settings: EmailSettings,
    trusted_pems: Sequence[str],
    *,
    timeout: float,
) -> None:
    """Deliver ``message`` to the SMTP server, or raise (smtplib.SMTPException, OSError,
    ssl.SSLError, MailRefused); every network step is bounded by ``timeout`` seconds."""
    context = tls_context(settings, trusted_pems)
    if settings.trust_option == TRUST_ALL:
        logger.warning(
            "the SMTP server %s's certificate is not verified: trustOption is trustAll",
            shown(settings.host),
        )
    client: smtplib.SMTP
    if context is not None and settings.implicit_tls:
        client = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=settings.local_host,
            timeout=timeout,
            context=context,
        )
    else:
        client = smtplib.SMTP(
            settings.host, settings.port, local_hostname=settings.local_host, timeout=timeout
        )
    # Not ``with client``: its QUIT after a failed TLS handshake would raise in place of the
    # handshake's error, which is the one worth logging.
    try:
        client.ehlo()
        if context is not None and not settings.implicit_tls:
            if not client.has_extn("starttls"):
                raise MailRefused(
                    f"the SMTP server {shown(settings.host)} does not offer STARTTLS, and TLS "
                    "is required by trustOption"
                )
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(message)
        # The message was accepted; a lost goodbye does not matter.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    finally:
        client.close()


def reason_of(error: Exception) -> str:
    """What went wrong, for the log: the error's own words (smtplib, ssl and socket errors and
    openscc's never contain the password), bounded."""
    if isinstance(error, OpensccError):
        text = error.message
    elif isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        said = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
        text = f"the server answered {error.smtp_code} {said}"
    else:
        text = str(error) or type(error).__name__
    return shown(f"{type(error).__name__}: {text}", 500)

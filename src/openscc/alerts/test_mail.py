"""A test e-mail through the stored e-mail configuration (the web page's "Send a test e-mail"):
the same settings, trust and TLS rules as an alert's, so a working test means alerts arrive.
Blocking: run in a worker."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from openscc.alerts import mail
from openscc.config import email, email_truststore
from openscc.config.email import addresses
from openscc.errors import OpensccError
from openscc.instance import Instance

SUBJECT = "[openscc] Test e-mail"


def send_test_mail(instance: Instance, *, server: str, timeout: float) -> tuple[bool, str]:
    """(sent, what happened): to whom it went, or why it did not."""
    with instance.snapshot() as store:
        body, password = email.stored(store)
        settings = email.sending_settings(body, password)
        if settings is None:
            return False, "e-mail is not configured: set the SMTP server and the addresses first"
        trusted = email_truststore.trusted_pems(store) if settings.uses_tls else []
    message = EmailMessage()
    message["From"] = settings.send_from
    message["To"] = settings.send_to
    if settings.send_cc:
        message["Cc"] = settings.send_cc
    message["Subject"] = SUBJECT
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    domain = addresses(settings.send_from, "sendFrom")[0].rpartition("@")[2].strip("[]")
    message["Message-ID"] = make_msgid("openscc-test", domain=domain)
    message.set_content(
        f"A test e-mail from openscc at {server} (instance {instance.instance_id}): alert e-mails "
        "sent with this configuration arrive.\n"
    )
    try:
        mail.send(message, settings, trusted, timeout=timeout)
    except (OpensccError, mail.MailRefused, smtplib.SMTPException, ssl.SSLError, OSError) as error:
        return False, f"not sent: {mail.reason_of(error)}"
    return True, f"sent to {settings.send_to} through {settings.host}:{settings.port}"

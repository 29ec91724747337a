"""Which alerts are e-mailed, and the e-mail an alert becomes: pure, no I/O."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from openscc.alerts.model import INFO, Alert, kind_of
from openscc.config import alerting
from openscc.config.email import EmailSettings, addresses


def should_mail(alert: Alert, alerting_body: dict[str, Any]) -> bool:
    """Whether the alerting configuration e-mails alerts of this kind (the e-mail
    configuration's ``enabled`` is the sender's to check)."""
    category = kind_of(alert.type).category
    return category is None or alerting.notifies(alerting_body, category)


def subject(alert: Alert) -> str:
    """A fixed text per kind and status: nothing a client sent reaches a header."""
    title = kind_of(alert.type).title
    status = "Resolved" if alert.status == INFO else alert.status
    return f"[openscc {alert.origin}] {status}: {title}"


def compose(
    alert: Alert, settings: EmailSettings, *, instance_id: str, server: str
) -> EmailMessage:
    """The alert as an e-mail from ``sendFrom`` to ``sendTo`` (and ``sendCc``)."""
    when = dt.datetime.fromtimestamp(alert.timestamp / 1000, dt.UTC)
    message = EmailMessage()
    message["From"] = settings.send_from
    message["To"] = settings.send_to
    if settings.send_cc:
        message["Cc"] = settings.send_cc
    message["Subject"] = subject(alert)
    message["Date"] = format_datetime(when)
    # The sender's domain names the message, so no host name lookup is needed.
    domain = addresses(settings.send_from, "sendFrom")[0].rpartition("@")[2].strip("[]")
    message["Message-ID"] = make_msgid("openscc-alert", domain=domain)
    lines = [
        alert.message,
        "",
        f"Type:     {alert.type}",
        f"Status:   {alert.status}",
        f"Origin:   {alert.origin}",
    ]
    if alert.entity:
        lines.append(f"Entity:   {alert.entity}")
    lines += [
        f"Time:     {when:%Y-%m-%d %H:%M:%S} UTC",
        f"Instance: {instance_id}",
        f"Server:   {server}",
        "",
        "-- ",
        "Sent by openscc because alert e-mails are enabled in its e-mail configuration",
        "(/api/v1/configuration/connector/email). Which kinds of alerts are e-mailed is set in",
        "the alerting configuration (/api/v1/configuration/connector/alerting).",
    ]
    message.set_content("\n".join(lines) + "\n")
    return message

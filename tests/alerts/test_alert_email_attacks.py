"""Alert e-mails silenced on purpose: an Associate Administrator put a CR/LF into an e-mail
property (accepted with 204), and every alert e-mail failed from then on, visible only in the
server log. Control characters are refused, and a failed send is an alert and a metric."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openscc.alerts.model import ALERT_EMAIL, BACKUP
from support.alerts_harness import CONNECTOR, Connector, fail_backups
from support.apps import add_user, make_client
from support.in_process import BACKUP_PATH
from support.smtp import MailPki, SmtpServer

MakeConnector = Callable[..., Connector]


@pytest.mark.parametrize("value", ["evil\r\nRCPT TO:<x@example.com>", "a\nb", "tab\there\x00"])
def test_control_characters_in_an_email_property_are_refused(
    connector: MakeConnector, value: str
) -> None:
    c = connector()
    name, password = add_user(c.server.app, "sccassocadmin")
    with make_client(c.server.app, auth=(name, password)) as associate:
        before = associate.get(f"{CONNECTOR}/email").json()
        answer = associate.put(f"{CONNECTOR}/email", json={**before, "additionalProperties": {
            "mail.smtp.localhost": value}})  # fmt: skip
        after = associate.get(f"{CONNECTOR}/email").json()

    assert answer.status_code == 400, answer.text
    assert "control characters" in answer.json()["message"]
    assert after == before


def test_a_failed_send_is_an_alert_and_a_metric(
    connector: MakeConnector,
    smtp_server: Callable[..., SmtpServer],
    pki: MailPki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp = smtp_server(tls="starttls")
    c = connector()
    c.configure_email(smtp, trustOption="emailTrustStore", smtpUsername="", smtpPassword="")
    # No CA in the e-mail trust store: the server's certificate cannot be verified.
    fail_backups(monkeypatch)

    assert c.http.post(BACKUP_PATH, json={"password": "Backup-pa55word"}).status_code == 500
    c.idle()

    alerts = c.http.get("/api/monitoring/alerts").json()["alerts"]
    kinds = [a["type"] for a in alerts]
    assert BACKUP in kinds
    assert ALERT_EMAIL in kinds
    metrics = c.http.get("/metrics").text
    assert 'openscc_alert_emails_total{outcome="failed"} 1.0' in metrics
    assert smtp.mailbox.messages == []

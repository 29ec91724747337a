"""A test e-mail through the stored configuration (the web page's "Send a test e-mail"), against
a real SMTP server on loopback: the same TLS, trust and logon rules as an alert's."""

from __future__ import annotations

from collections.abc import Callable

from support.alerts_harness import SMTP_PASSWORD, SMTP_USER, Connector
from support.smtp import MailPki, SmtpServer

TEST = "/api/openscc/v1/alerting/email/test"
USERS = {SMTP_USER: SMTP_PASSWORD}


def test_a_test_email_arrives_over_verified_starttls(
    connector: Callable[..., Connector], smtp_server: Callable[..., SmtpServer], pki: MailPki
) -> None:
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)

    answer = c.http.post(TEST)

    assert answer.status_code == 200, answer.text
    assert answer.json()["sent"] is True
    assert answer.json()["message"].startswith("sent to Ops Team <ops@example.com>")
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "[openscc] Test e-mail"
    assert smtp.logins == [SMTP_USER]


def test_a_failure_says_why_and_nothing_is_sent(
    connector: Callable[..., Connector], smtp_server: Callable[..., SmtpServer]
) -> None:
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.configure_email(smtp)  # the server's CA is not in the e-mail trust store

    answer = c.http.post(TEST).json()

    assert answer["sent"] is False
    assert answer["message"].startswith("not sent: ")
    assert SMTP_PASSWORD not in answer["message"]
    assert smtp.mailbox.envelopes == []


def test_without_a_configuration_it_says_so(connector: Callable[..., Connector]) -> None:
    answer = connector().http.post(TEST).json()

    assert answer == {
        "sent": False,
        "message": "e-mail is not configured: set the SMTP server and the addresses first",
    }

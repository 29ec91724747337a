"""Alerts e-mailed through a real SMTP server on loopback (aiosmtpd): raised by a failed backup,
a failed restore and an expiring certificate; STARTTLS or implicit TLS verified against the
e-mail trust store uploaded through the API; AUTH; and every reason not to send."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from openscc.alerts.model import BACKUP, HA, SCHEDULED_BACKUP
from openscc.schedules import targets as schedule_targets
from support.alerts_harness import (
    CONNECTOR,
    SMTP_PASSWORD,
    SMTP_USER,
    Connector,
    fail_backups,
    fail_restores,
)
from support.apps import make_client
from support.in_process import BACKUP_PATH, InProcessServer
from support.smtp import MailPki, SmtpServer, make_ca
from support.waiting import wait_for

MakeConnector = Callable[..., Connector]
MakeSmtp = Callable[..., SmtpServer]
USERS = {SMTP_USER: SMTP_PASSWORD}


@pytest.fixture
def alerts_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="openscc.alerts")
    return caplog


def _backup(connector: Connector) -> int:
    return connector.http.post(BACKUP_PATH, json={"password": "Backup-pa55word"}).status_code


def _pem(cert: object) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()  # type: ignore[attr-defined]


def test_a_failed_backup_arrives_by_e_mail_over_verified_starttls(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    pki: MailPki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """POST backup answering 500 (disk full) raises an alert; it is e-mailed over STARTTLS,
    the server's certificate verified against the CA uploaded into the e-mail trust store, after
    logging on with user and password."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    fail_backups(monkeypatch)

    assert _backup(c) == 500

    [message] = smtp.wait_for(1)
    assert message["Subject"] == "[openscc Master] Error: Backup failed"
    assert message["From"] == "openscc@example.com"
    assert message["To"] == "Ops Team <ops@example.com>, oncall@example.com"
    assert message["Cc"] == "audit@example.com"
    body = message.get_content()
    assert "A backup requested by Administrator failed" in body
    assert "No space left on device" in body
    assert "Type:     Backup" in body
    assert smtp.logins == [SMTP_USER]
    envelope_from, recipients = smtp.mailbox.envelopes[0]
    assert envelope_from == "openscc@example.com"
    assert sorted(recipients) == ["audit@example.com", "oncall@example.com", "ops@example.com"]


def test_the_alert_is_kept_for_the_monitoring_api(
    connector: MakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = connector()
    fail_backups(monkeypatch)

    _backup(c)

    [alert] = c.alerts.recent()
    assert alert.to_json() == {
        "timestamp": alert.timestamp,
        "status": "Error",
        "type": "Backup",
        "origin": "Master",
        "message": alert.message,
        "entity": "",
    }
    assert abs(alert.timestamp - time.time() * 1000) < 60_000


def test_without_the_ca_in_the_trust_store_nothing_is_sent(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
    alerts_log: pytest.LogCaptureFixture,
) -> None:
    """The trust store holds another CA: the TLS handshake is refused, nothing is delivered, the
    failure is logged without the password, and the backup's answer is still its own 500."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(_pem(make_ca("Some Other CA")[0]))
    c.configure_email(smtp)
    fail_backups(monkeypatch)

    assert _backup(c) == 500
    c.idle()

    assert smtp.messages == []
    assert "CERTIFICATE_VERIFY_FAILED" in alerts_log.text
    assert "the Backup alert could not be e-mailed" in alerts_log.text
    assert SMTP_PASSWORD not in alerts_log.text


def test_an_empty_trust_store_is_refused_before_connecting(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
    alerts_log: pytest.LogCaptureFixture,
) -> None:
    smtp = smtp_server(tls="starttls")
    c = connector()
    c.configure_email(smtp, smtpUsername=None, smtpPassword=None)
    fail_backups(monkeypatch)

    _backup(c)
    c.idle()

    assert smtp.messages == []
    assert "the e-mail trust store is empty" in alerts_log.text


def test_a_server_without_starttls_is_refused_not_used_in_plain_text(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    pki: MailPki,
    monkeypatch: pytest.MonkeyPatch,
    alerts_log: pytest.LogCaptureFixture,
) -> None:
    smtp = smtp_server(tls="none")
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp, smtpUsername=None, smtpPassword=None)
    fail_backups(monkeypatch)

    _backup(c)
    c.idle()

    assert smtp.messages == []
    assert "does not offer STARTTLS" in alerts_log.text


def test_a_wrong_smtp_password_is_logged_without_any_password(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    pki: MailPki,
    monkeypatch: pytest.MonkeyPatch,
    alerts_log: pytest.LogCaptureFixture,
) -> None:
    smtp = smtp_server(tls="starttls", users={SMTP_USER: "the-right-one"})
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    fail_backups(monkeypatch)

    _backup(c)
    c.idle()

    assert smtp.messages == []
    assert "535" in alerts_log.text
    assert SMTP_PASSWORD not in alerts_log.text
    assert "the-right-one" not in alerts_log.text


def test_implicit_tls_on_request(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JavaMail's mail.smtp.ssl.enable: TLS from the first byte, verified the same way."""
    smtp = smtp_server(tls="implicit", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp, additionalProperties={"mail.smtp.ssl.enable": "true"})
    fail_backups(monkeypatch)

    _backup(c)

    assert len(smtp.wait_for(1)) == 1
    assert smtp.logins == [SMTP_USER]


def test_tls_disabled_sends_in_plain_text(
    connector: MakeConnector, smtp_server: MakeSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = smtp_server(tls="none")
    c = connector()
    c.configure_email(smtp, trustOption="tlsDisabled", smtpUsername=None, smtpPassword=None)
    fail_backups(monkeypatch)

    _backup(c)

    assert len(smtp.wait_for(1)) == 1


def test_trust_all_sends_unverified_and_says_so(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    monkeypatch: pytest.MonkeyPatch,
    alerts_log: pytest.LogCaptureFixture,
) -> None:
    """trustAll is the product's documented option: the certificate is not verified (the trust
    store is empty here), and every such send logs a warning."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.configure_email(smtp, trustOption="trustAll")
    fail_backups(monkeypatch)

    _backup(c)

    assert len(smtp.wait_for(1)) == 1
    assert "certificate is not verified: trustOption is trustAll" in alerts_log.text


def test_a_failed_restore_arrives_by_e_mail(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restore that fails after the archive was opened and checked (disk full while staging)."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    archive = c.server.backup()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    fail_restores(monkeypatch)

    response = c.server.restore(archive)

    assert response.status_code == 500
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "[openscc Master] Error: Restore failed"
    assert "could not stage the restore" in message.get_content()


def test_an_invalid_restore_raises_no_alert(connector: MakeConnector) -> None:
    """Bad input (a wrong password) is the client's error, not an alert."""
    c = connector()
    archive = c.server.backup()

    response = c.server.restore(archive, password="Not-the-pa55word")

    assert response.status_code == 400
    assert c.alerts.recent() == []


def test_an_expiring_certificate_is_e_mailed_and_then_resolved(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki
) -> None:
    """The periodic check finds a trusted certificate that expires within 30 days (Warning); once
    it is removed, the alert is resolved and that is e-mailed too."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector(alert_check_interval_seconds=0.05)
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    c.trust(_pem(make_ca("Short Lived CA", days=10)[0]))

    [warning] = smtp.wait_for(1)
    assert warning["Subject"] == "[openscc Master] Warning: Trusted e-mail certificate expires"
    body = warning.get_content()
    assert "Trusted e-mail certificate trustedemailserver.2.1" in body
    assert "'CN=Short Lived CA,O=openscc tests'" in body
    assert "Entity:   trustedemailserver.2.1" in body

    c.http.delete(f"{CONNECTOR}/email/truststore/certificates/trustedemailserver.2.1")

    resolved = smtp.wait_for(2)[1]
    assert resolved["Subject"] == "[openscc Master] Resolved: Trusted e-mail certificate expires"
    assert "no longer expires within 30 days" in resolved.get_content()
    c.wait_for_checks(3)  # the resolved alert is not sent again
    c.idle()
    assert len(smtp.messages) == 2


def test_certificate_alerts_switched_off_send_nothing(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With notification.certificates false the expiring certificate is an alert (kept) but no
    e-mail; a failed backup, in no switchable category, still is e-mailed."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector(alert_check_interval_seconds=0.05)
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    c.http.patch(f"{CONNECTOR}/alerting", json={"notification": {"certificates": False}})
    c.trust(_pem(make_ca("Short Lived CA", days=10)[0]))
    wait_for(c.alerts.recent, "the certificate's alert")
    fail_backups(monkeypatch)

    _backup(c)

    [message] = smtp.wait_for(1)
    c.idle()
    assert message["Subject"] == "[openscc Master] Error: Backup failed"
    assert len(smtp.messages) == 1
    assert {a.type for a in c.alerts.recent()} == {"EmailTrustStoreCertificate", "Backup"}


def test_the_validity_period_decides_what_expires_soon(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki
) -> None:
    """certificateValidityDays 5: a certificate with 10 days left raises nothing, one with 3 does."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector(alert_check_interval_seconds=0.05)
    c.http.patch(f"{CONNECTOR}/alerting", json={"thresholds": {"certificateValidityDays": 5}})
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    c.trust(_pem(make_ca("Ten Days CA", days=10)[0]))
    c.trust(_pem(make_ca("Three Days CA", days=3)[0]))

    [message] = smtp.wait_for(1)
    c.wait_for_checks(3)
    c.idle()

    assert "Three Days CA" in message.get_content()
    assert len(smtp.messages) == 1
    assert [a.entity for a in c.alerts.recent()] == ["trustedemailserver.3.1"]


def test_sending_disabled_sends_nothing(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp, enabled=False)
    fail_backups(monkeypatch)

    _backup(c)
    c.idle()

    assert [a.type for a in c.alerts.recent()] == ["Backup"]
    assert smtp.messages == []


def test_a_repeated_failure_is_sent_once_and_a_success_resolves_it(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    with monkeypatch.context() as patched:
        fail_backups(patched)
        assert _backup(c) == 500
        assert _backup(c) == 500

    assert _backup(c) == 200

    first, second = smtp.wait_for(2)
    c.idle()
    assert len(smtp.messages) == 2
    assert first["Subject"] == "[openscc Master] Error: Backup failed"
    assert second["Subject"] == "[openscc Master] Resolved: Backup failed"
    assert [a.status for a in c.alerts.recent()] == ["Info"]


def test_raise_alert_is_there_for_other_parts_and_honours_the_categories(
    connector: MakeConnector, smtp_server: MakeSmtp, pki: MailPki
) -> None:
    """A scheduled backup's failure (no category) is e-mailed; a lost shadow (category ha) is not
    while ha is switched off."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    c.http.patch(f"{CONNECTOR}/alerting", json={"notification": {"ha": False}})

    lost = c.alerts.raise_alert(HA, "The shadow instance is no longer connected")
    failed = c.alerts.raise_alert(SCHEDULED_BACKUP, "The nightly backup failed: disk full")

    [message] = smtp.wait_for(1)
    c.idle()
    assert lost is not None
    assert failed is not None
    assert message["Subject"] == "[openscc Master] Error: Scheduled backup failed"
    assert len(smtp.messages) == 1
    assert [a.type for a in c.alerts.recent()] == [HA, SCHEDULED_BACKUP]


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A port that accepts connections and never says a word (an SMTP server that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_hanging_smtp_server_never_holds_up_the_request(
    connector: MakeConnector,
    silent_smtp: int,
    monkeypatch: pytest.MonkeyPatch,
    alerts_log: pytest.LogCaptureFixture,
) -> None:
    """The e-mail is sent in the mail thread with a timeout: the backup answers while the e-mail
    still waits for the server, and the send gives up after the timeout and says so."""
    c = connector(smtp_timeout_seconds=3.0)
    response = c.http.put(
        f"{CONNECTOR}/email",
        json={
            "enabled": True,
            "trustOption": "tlsDisabled",
            "sendTo": "ops@example.com",
            "sendFrom": "openscc@example.com",
            "smtpHost": "127.0.0.1",
            "smtpPort": silent_smtp,
        },
    )
    assert response.status_code == 204
    fail_backups(monkeypatch)

    assert _backup(c) == 500
    still_sending = not c.alerts.wait_idle(0)
    c.idle()

    assert still_sending
    assert "the Backup alert could not be e-mailed" in alerts_log.text
    assert "timed out" in alerts_log.text


def test_unknown_kinds_of_alerts_are_a_programming_error(connector: MakeConnector) -> None:
    c = connector()

    with pytest.raises(ValueError, match="unknown kind of alert"):
        c.alerts.raise_alert("Backups", "typo")
    with pytest.raises(ValueError, match="Error or Warning"):
        c.alerts.raise_alert(BACKUP, "resolved?", status="Info")


def test_the_certificates_are_checked_when_the_server_starts(tmp_path: Path) -> None:
    """An instance that already holds an expiring certificate raises its alert at start, long
    before the next periodic check (an hour away here)."""
    with InProcessServer(tmp_path / "data") as first:
        first.http.post(
            f"{CONNECTOR}/email/truststore/certificates",
            auth=first.auth,
            files={"certificates": ("ca.pem", _pem(make_ca("Short Lived CA", days=10)[0]))},
        )
    server = InProcessServer(tmp_path / "data", alert_check_interval_seconds=3600.0)
    alerts = server.app.state.services.alerts

    with make_client(server.app):
        [alert] = wait_for(alerts.recent, "the certificate check at start")

    assert (alert.type, alert.status) == ("EmailTrustStoreCertificate", "Warning")
    assert alert.entity == "trustedemailserver.1.1"
    server.close()


def test_a_failed_scheduled_backup_arrives_by_e_mail(
    connector: MakeConnector,
    smtp_server: MakeSmtp,
    pki: MailPki,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A schedule whose target's disk is full: the run fails without a partial file left, and
    the Backup alert is e-mailed through the alerting settings."""
    smtp = smtp_server(tls="starttls", users=USERS)
    c = connector()
    c.trust(pki.ca_pem)
    c.configure_email(smtp)
    target = tmp_path / "backups"
    target.mkdir()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(schedule_targets.os, "fsync", full)
    body = {"name": "nightly", "cron": "0 0 1 1 *", "password": "Scheduled-pa55word",
            "target": {"type": "directory", "path": str(target)}}  # fmt: skip
    assert c.http.post("/api/openscc/v1/backup/schedules", json=body).status_code == 201
    assert c.http.post("/api/openscc/v1/backup/schedules/nightly/run").status_code == 202

    [message] = smtp.wait_for(1)
    assert message["Subject"] == "[openscc Master] Error: Scheduled backup failed"
    assert "The scheduled backup nightly failed" in message.get_content()
    assert "No space left on device" in message.get_content()
    assert list(target.iterdir()) == []

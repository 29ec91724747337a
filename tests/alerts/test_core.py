"""The alerts' pure core: the book of alerts in force, the expiry decision, what is e-mailed and
how it reads, and the e-mail settings the sender uses."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization

from openscc.alerts.expiry import findings
from openscc.alerts.mail import MailRefused, tls_context
from openscc.alerts.model import (
    BACKUP,
    ERROR,
    HA,
    INFO,
    UI_CERTIFICATE,
    WARNING,
    Alert,
    AlertBook,
    origin_of,
)
from openscc.alerts.notify import compose, should_mail, subject
from openscc.config import alerting
from openscc.config.certificate_inventory import Held
from openscc.config.email import EmailSettings, sending_settings
from openscc.errors import InvalidRequest
from support.smtp import make_ca

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _alert(
    kind: str = BACKUP, message: str = "m", *, status: str = ERROR, entity: str = ""
) -> Alert:
    return Alert(
        timestamp=1, status=status, type=kind, origin="Master", message=message, entity=entity
    )


def _settings(**changes: object) -> EmailSettings:
    values: dict[str, object] = {
        "trust_option": "emailTrustStore",
        "send_to": "ops@example.com",
        "send_cc": "",
        "send_from": "openscc@example.com",
        "host": "mail.example.com",
        "port": 25,
        "username": "",
        "password": "",
        "properties": {},
    }
    values.update(changes)
    return EmailSettings(**values)  # type: ignore[arg-type]


class TestAlertBook:
    def test_a_repeat_of_the_alert_in_force_changes_nothing(self) -> None:
        book = AlertBook()

        assert book.record(_alert(message="disk full"))
        assert not book.record(_alert(message="disk full"))
        assert len(book.recent()) == 1

    def test_a_new_alert_of_the_same_kind_and_entity_replaces_the_old(self) -> None:
        book = AlertBook()
        book.record(_alert(message="first"))
        book.record(_alert(kind=HA, message="shadow lost"))

        assert book.record(_alert(message="second"))
        assert [a.message for a in book.recent()] == ["shadow lost", "second"]

    def test_entities_tell_alerts_of_one_kind_apart(self) -> None:
        book = AlertBook()
        book.record(_alert(UI_CERTIFICATE, entity="a"))
        book.record(_alert(UI_CERTIFICATE, entity="b"))

        assert book.unresolved([UI_CERTIFICATE]) == {(UI_CERTIFICATE, "a"), (UI_CERTIFICATE, "b")}

    def test_resolved_alerts_are_not_unresolved(self) -> None:
        book = AlertBook()
        book.record(_alert())
        book.record(_alert(status=INFO, message="fine again"))

        assert book.unresolved([BACKUP]) == set()
        assert not book.is_unresolved((BACKUP, ""))

    def test_only_the_most_recent_are_kept(self) -> None:
        book = AlertBook(capacity=3)
        for n in range(5):
            book.record(_alert(UI_CERTIFICATE, entity=str(n)))

        assert [a.entity for a in book.recent()] == ["2", "3", "4"]


class TestExpiry:
    def _held(self, days: int) -> Held:
        cert = make_ca("Soon", days=days)[0]
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        return Held(role="UI", entity="", label="UI certificate", pem=pem)

    def test_expiring_within_the_days_is_a_warning_and_expired_an_error(self) -> None:
        now = dt.datetime.now(dt.UTC)
        soon, later, gone = self._held(10), self._held(100), self._held(10)

        found = findings([soon, later], now, 30)
        expired = findings([gone], now + dt.timedelta(days=11), 30)

        assert [(f.type, f.status) for f in found] == [(UI_CERTIFICATE, WARNING)]
        assert found[0].message.startswith("UI certificate ('CN=Soon,O=openscc tests' issued by")
        assert " expires 20" in found[0].message
        assert [f.status for f in expired] == [ERROR]
        assert " expired 20" in expired[0].message

    def test_zero_days_alerts_only_expired_certificates(self) -> None:
        now = dt.datetime.now(dt.UTC)

        assert findings([self._held(1)], now, 0) == []

    def test_a_certificate_that_does_not_parse_is_skipped(self) -> None:
        broken = Held(role="UI", entity="", label="UI certificate", pem="garbage")

        assert findings([broken], NOW, 30) == []


class TestNotification:
    def test_categories_decide_and_openscc_s_own_kinds_are_always_mailed(self) -> None:
        config = alerting.changed(alerting.defaults(), {"notification": {"ha": False}})

        assert not should_mail(_alert(HA), config)
        assert should_mail(_alert(UI_CERTIFICATE), config)
        assert should_mail(
            _alert(BACKUP),
            alerting.changed(config, {"notification": dict.fromkeys(alerting.CATEGORIES, False)}),
        )

    def test_the_subject_is_fixed_text_whatever_the_message(self) -> None:
        alert = _alert(message="evil\r\nBcc: someone@example.com")

        assert subject(alert) == "[openscc Master] Error: Backup failed"
        assert subject(_alert(status=INFO)) == "[openscc Master] Resolved: Backup failed"

    def test_the_e_mail_carries_the_alert(self) -> None:
        alert = _alert(UI_CERTIFICATE, "UI certificate expires soon", status=WARNING, entity="x")

        message = compose(
            alert,
            _settings(send_cc="cc@example.com"),
            instance_id="id-1",
            server="https://h:8443",
        )

        assert message["To"] == "ops@example.com"
        assert message["Cc"] == "cc@example.com"
        assert message["Message-ID"].endswith("@example.com>")  # the sender's domain
        body = message.get_content()
        assert body.startswith("UI certificate expires soon\n")
        assert "Entity:   x" in body
        assert "Instance: id-1" in body

    def test_a_shadow_raises_alerts_as_its_origin(self) -> None:
        assert (origin_of(None), origin_of("master"), origin_of("shadow")) == (
            "Master",
            "Master",
            "Shadow",
        )


class TestEmailSettings:
    def test_disabled_means_nothing_to_send(self) -> None:
        assert sending_settings({"enabled": False, "smtpHost": "x"}, None) is None

    def test_default_ports_follow_the_kind_of_tls(self) -> None:
        body = {
            "enabled": True,
            "trustOption": "emailTrustStore",
            "sendTo": "a@example.com",
            "sendFrom": "b@example.com",
            "smtpHost": "mail.example.com",
        }
        implicit = {**body, "additionalProperties": {"mail.smtp.ssl.enable": True}}

        plain = sending_settings(body, None)
        smtps = sending_settings(implicit, None)

        assert plain is not None
        assert (plain.port, plain.implicit_tls) == (25, False)
        assert smtps is not None
        assert (smtps.port, smtps.implicit_tls) == (465, True)

    def test_port_465_is_implicit_tls_unless_tls_is_disabled(self) -> None:
        assert _settings(port=465).implicit_tls
        assert not _settings(port=465, trust_option="tlsDisabled").implicit_tls

    def test_an_invalid_stored_configuration_is_refused_by_the_sender(self) -> None:
        with pytest.raises(InvalidRequest):
            sending_settings({"enabled": True, "trustOption": "x"}, None)

    def test_the_password_is_not_in_the_settings_repr(self) -> None:
        assert "s3cret" not in repr(_settings(password="s3cret"))


class TestTlsContext:
    def test_tls_disabled_has_none(self) -> None:
        assert tls_context(_settings(trust_option="tlsDisabled"), []) is None

    def test_the_trust_store_verifies_host_and_chain(self) -> None:
        pem = make_ca()[0].public_bytes(serialization.Encoding.PEM).decode()

        context = tls_context(_settings(), [pem])

        assert context is not None
        assert context.check_hostname
        assert context.verify_mode.name == "CERT_REQUIRED"
        assert context.get_ca_certs()[0]["subject"][-1] == (("commonName", "Test Mail CA"),)

    def test_an_empty_trust_store_is_refused(self) -> None:
        with pytest.raises(MailRefused, match="trust store is empty"):
            tls_context(_settings(), [])

    def test_jdk_and_trust_store_adds_the_system_cas(self) -> None:
        context = tls_context(_settings(trust_option="jdkAndEmailTrustStore"), [])

        assert context is not None
        assert context.verify_mode.name == "CERT_REQUIRED"

    def test_trust_all_does_not_verify(self) -> None:
        context = tls_context(_settings(trust_option="trustAll"), [])

        assert context is not None
        assert context.verify_mode.name == "CERT_NONE"

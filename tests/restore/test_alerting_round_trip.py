"""The alerting and e-mail configuration and the e-mail trust store are in every backup and come
back with a restore, the SMTP password included (encrypted in the archive)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openscc import kinds
from support.in_process import InProcessServer
from support.smtp import MailPki

CONNECTOR = "/api/v1/configuration/connector"
SMTP_PASSWORD = "Smtp-Pa55word-in-the-archive"
READS = (
    f"{CONNECTOR}/alerting",
    f"{CONNECTOR}/email",
    f"{CONNECTOR}/email/truststore",
    f"{CONNECTOR}/email/truststore/certificates",
)


def _configure(source: InProcessServer) -> None:
    http = source.http
    assert (
        http.put(
            f"{CONNECTOR}/alerting",
            json={"thresholds": {"certificateValidityDays": 60}, "notification": {"CPU": False}},
        ).status_code
        == 204
    )
    assert (
        http.put(
            f"{CONNECTOR}/email",
            json={
                "enabled": True,
                "trustOption": "jdkAndEmailTrustStore",
                "sendTo": "ops@example.com",
                "sendFrom": "openscc@example.com",
                "smtpHost": "mail.example.com",
                "smtpPort": 587,
                "smtpUsername": "openscc",
                "smtpPassword": SMTP_PASSWORD,
            },
        ).status_code
        == 204
    )
    pki = MailPki.make()
    uploaded = http.post(
        f"{CONNECTOR}/email/truststore/certificates",
        files={"certificates": ("ca.pem", pki.ca_pem + pki.server_cert_pem)},
    )
    assert uploaded.status_code == 201


def _email_secret(server: InProcessServer) -> dict[str, object] | None:
    record = server.instance.store.get(kinds.EMAIL, kinds.SINGLETON_KEY, with_secret=True)
    assert record is not None
    return record.secret


def test_the_configuration_and_trust_store_survive_backup_and_restore(tmp_path: Path) -> None:
    source = InProcessServer(tmp_path / "source")
    source.http.auth = source.auth
    _configure(source)
    before = {url: source.http.get(url).content for url in READS}
    archive = source.backup()
    target = InProcessServer(tmp_path / "target", password="Target-admin-pa55")

    assert target.restore(archive).status_code == 204
    target.restart()
    target.http.auth = source.auth

    assert {url: target.http.get(url).content for url in READS} == before
    assert _email_secret(target) == {"smtpPassword": SMTP_PASSWORD}
    source.close()
    target.close()


def test_the_smtp_password_is_not_in_the_archive_in_plain_text(tmp_path: Path) -> None:
    source = InProcessServer(tmp_path / "source")
    source.http.auth = source.auth
    _configure(source)

    archive = source.backup()

    with zipfile.ZipFile(io.BytesIO(archive)) as members:
        for name in members.namelist():
            assert SMTP_PASSWORD.encode() not in members.read(name), name
    source.close()

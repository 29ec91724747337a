"""The dry run says what a restore changes for the person at the keyboard (``forYou``): the UI
certificate their browser trusts, and whether their own user and password still work."""

from __future__ import annotations

from openscc import kinds
from openscc.backup.restore_impact import certificate_facts
from support.in_process import BACKUP_PASSWORD, BACKUP_PATH, InProcessServer


def _dry_run(server: InProcessServer, archive: bytes, own_password: str | None) -> dict:
    data = {"password": BACKUP_PASSWORD}
    if own_password is not None:
        data["userPassword"] = own_password
    response = server.http.put(
        f"{BACKUP_PATH}?dryRun=true", auth=server.auth,
        files={"backup": ("backup.zip", archive)}, data=data,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["forYou"]


def _ui_pem(server: InProcessServer) -> str:
    record = server.instance.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    assert record is not None
    return str(record.body["certificatePem"])


def test_the_same_instances_backup_changes_nothing_for_you(connector: InProcessServer) -> None:
    archive = connector.backup()

    you = _dry_run(connector, archive, connector.password)

    assert you["uiCertificate"]["changes"] is False
    assert you["uiCertificate"]["hostsChange"] is False
    assert you["users"] == {"you": "Administrator", "local": True, "inBackup": True,
                            "roleInBackup": "sccadmin", "passwordWorks": True}  # fmt: skip


def test_another_instances_backup_names_both_certificates_and_your_password(
    connector: InProcessServer, other_connector: InProcessServer
) -> None:
    """The other instance's Administrator has another password: yours stops working."""
    archive = other_connector.backup()

    you = _dry_run(connector, archive, connector.password)

    certificate = you["uiCertificate"]
    assert certificate["changes"] is True
    assert certificate["current"] == certificate_facts(_ui_pem(connector))
    assert certificate["backup"] == certificate_facts(_ui_pem(other_connector))
    assert len(certificate["backup"]["sha256"]) == 95  # 32 hex pairs and their colons
    assert you["users"]["inBackup"] is True
    assert you["users"]["passwordWorks"] is False


def test_without_your_password_it_is_not_guessed(
    connector: InProcessServer, other_connector: InProcessServer
) -> None:
    you = _dry_run(connector, other_connector.backup(), None)

    assert you["users"]["passwordWorks"] is None

"""The move preflight: each warning a dry run gives before an archive is restored elsewhere,
with its stable code; and none for a fresh archive of this very instance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from openscc import kinds
from openscc.backup import preflight
from openscc.backup.preflight import Here
from openscc.config import certs
from openscc.store.records import EntityRecord
from support.in_process import BACKUP_PASSWORD, InProcessServer

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
HERE = Here(
    names=frozenset({"new-host.example", "10.0.0.9"}), address=("new-host.example", 8443), now=NOW
)
PROPS = b"[server]\nhost = old-host.example\nport = 8443\n\n[paths]\naudit_log_dir =\n"


def _certificate(name: str, days: int, *, at: dt.datetime = NOW) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = at - dt.timedelta(days=1)
    return certs.self_signed(subject, days=days + 1, now=start).certificate_pem


def _ui(name: str, days: int = 365) -> EntityRecord:
    return EntityRecord(kind=kinds.UI_CERTIFICATE, key=kinds.SINGLETON_KEY, parent=None,
                        body={"certificatePem": _certificate(name, days)})  # fmt: skip


def _codes(records: list[EntityRecord], *, props: bytes | None = PROPS, current: bytes | None = PROPS,
           created: dt.datetime = NOW, same: bool = False, answering: bool = False) -> list[str]:  # fmt: skip
    found = preflight.warnings(
        records, props, current, int(created.timestamp() * 1000), same, HERE,
        lambda host, port: answering and (host, port) == ("old-host.example", 8443),
    )  # fmt: skip
    assert all(w["message"] for w in found)
    return [w["code"] for w in found]


def test_a_ui_certificate_for_another_host() -> None:
    assert _codes([_ui("old-host.example")]) == ["UI_CERTIFICATE_HOST_MISMATCH"]
    assert _codes([_ui("new-host.example")]) == []
    assert _codes([_ui("10.0.0.9")]) == []


def test_certificates_expired_or_expiring_within_30_days() -> None:
    system = EntityRecord(kind=kinds.SYSTEM_CERTIFICATE, key=kinds.SINGLETON_KEY, parent=None,
                          body={"certificatePem": _certificate("system", 10)})  # fmt: skip
    expired = EntityRecord(kind=kinds.TRUSTED_BACKEND, key="ca", parent=None,
        body={"certificatePem": _certificate("old ca", 10, at=NOW - dt.timedelta(days=60))})  # fmt: skip

    assert _codes([system, expired, _ui("new-host.example")]) == [
        "CERTIFICATE_EXPIRES_SOON",
        "CERTIFICATE_EXPIRED",
    ]


def test_a_props_ini_that_differs_and_a_custom_path_missing_here(tmp_path: Path) -> None:
    differing = PROPS.replace(b"audit_log_dir =", b"audit_log_dir = /no/such/dir")
    existing = PROPS.replace(b"audit_log_dir =", f"audit_log_dir = {tmp_path}".encode())

    assert _codes([], props=differing) == ["PROPS_INI_DIFFERS", "CUSTOM_PATH_MISSING"]
    assert _codes([], props=existing) == ["PROPS_INI_DIFFERS"]


def test_the_original_instance_still_answering_is_a_clone() -> None:
    assert _codes([], answering=True) == ["SOURCE_STILL_ANSWERS"]
    assert _codes([], answering=False) == []
    assert _codes([], answering=True, same=True) == []  # restoring onto the same instance


def test_an_old_archive() -> None:
    assert _codes([], created=NOW - dt.timedelta(days=45)) == ["ARCHIVE_OLD"]
    assert _codes([], created=NOW - dt.timedelta(days=5)) == []


def test_a_fresh_archive_of_this_instance_warns_of_nothing(connector: InProcessServer) -> None:
    """Through the API: the dry run carries warnings, here none."""
    archive = connector.backup()
    response = connector.http.put(
        "/api/v1/configuration/backup?dryRun=true",
        files={"backup": ("b.zip", archive)},
        data={"password": BACKUP_PASSWORD},
        auth=connector.auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == []

"""PUT /api/v1/configuration/backup: validation first, nothing changed on failure, exact state after."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from openscc.backup.archive import read_archive
from openscc.layout import RESTORE_PENDING, RESTORE_STAGING, SAFETY_BACKUPS
from support.archives import checked_records
from support.in_process import BACKUP_PASSWORD, InProcessServer

URL = "/api/v1/configuration/backup"


def _describe(connector: InProcessServer, text: str) -> None:
    response = connector.http.put(
        "/api/v1/configuration/connector", auth=connector.auth, json={"description": text}
    )
    assert response.status_code == 200


def _nothing_staged(data_dir: Path) -> bool:
    return (
        not (data_dir / RESTORE_PENDING.name).exists()
        and not (data_dir / RESTORE_STAGING.name).exists()
    )


def test_restore_answers_204_and_asks_for_a_restart(connector: InProcessServer) -> None:
    """A valid restore is 204 with an empty body, then the server restarts."""
    archive = connector.backup()

    response = connector.restore(archive)

    assert response.status_code == 204
    assert response.content == b""
    assert connector.restart_requests == 1


def test_changes_made_after_the_backup_are_gone_after_restore(
    connector: InProcessServer,
) -> None:
    """After restore and restart the configuration is exactly the backup's."""
    _describe(connector, "at backup time")
    expected = connector.state()
    archive = connector.backup()
    _describe(connector, "changed later")
    connector.instance.users.add("later-user", "sccdisplay", "later-pw")

    assert connector.restore(archive).status_code == 204
    assert connector.restart()

    assert connector.state() == expected
    assert connector.instance.users.find("later-user") is None


def test_restore_is_not_applied_before_the_restart(connector: InProcessServer) -> None:
    """Until the restart the running configuration stays as it was."""
    _describe(connector, "old")
    archive = connector.backup()
    _describe(connector, "current")

    connector.restore(archive)

    assert (
        connector.http.get("/api/v1/configuration/connector", auth=connector.auth).json()[
            "description"
        ]
        == "current"
    )


def test_changes_are_refused_once_a_restore_is_committed(connector: InProcessServer) -> None:
    """Between the 204 and the restart, configuration changes get 409 instead of being lost."""
    archive = connector.backup()
    connector.restore(archive)

    response = connector.http.put(
        "/api/v1/configuration/connector", auth=connector.auth, json={"description": "lost?"}
    )

    assert response.status_code == 409


def test_restore_onto_a_fresh_second_instance_brings_users_and_passwords(
    connector: InProcessServer, other_connector: InProcessServer
) -> None:
    """A backup restores on another instance; the source's users and passwords are then in force."""
    connector.instance.users.add("operator", "sccdisplay", "operator-pw")
    _describe(connector, "moved here")
    archive = connector.backup()

    assert other_connector.restore(archive).status_code == 204
    other_connector.restart()

    old_login = other_connector.http.get(
        "/api/v1/configuration/connector", auth=other_connector.auth
    )
    new_login = other_connector.http.get("/api/v1/configuration/connector", auth=connector.auth)
    operator = other_connector.http.get(
        "/api/v1/configuration/connector", auth=("operator", "operator-pw")
    )
    assert old_login.status_code == 401
    assert new_login.json()["description"] == "moved here"
    assert operator.status_code == 200
    assert other_connector.instance.instance_id != connector.instance.instance_id


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("wrong-pw", "wrong password: the backup password does not open this archive"),
        ("", "password must not be empty"),
        (None, "password is required"),
    ],
)
def test_wrong_missing_or_empty_password_is_400_and_changes_nothing(
    connector: InProcessServer, password: str | None, message: str
) -> None:
    """A bad password is 400 INVALID_REQUEST; nothing is staged, no safety backup is written."""
    archive = connector.backup()
    data = {} if password is None else {"password": password}

    response = connector.http.put(
        URL, auth=connector.auth, files={"backup": ("b.zip", archive)}, data=data
    )

    assert response.status_code == 400
    assert response.json() == {"type": "INVALID_REQUEST", "message": message}
    assert _nothing_staged(connector.instance.data_dir)
    assert not (connector.instance.data_dir / SAFETY_BACKUPS.name).exists()
    assert connector.restart_requests == 0


def test_a_backup_part_without_a_filename_is_restored(connector: InProcessServer) -> None:
    """SAP's Kotlin sample sends the backup part with no filename: its bytes are the file."""
    _describe(connector, "at backup time")
    archive = connector.backup()
    _describe(connector, "changed later")

    refused = connector.http.put(
        URL,
        auth=connector.auth,
        files={"backup": (None, b"not an archive"), "password": (None, BACKUP_PASSWORD)},
    )
    response = connector.http.put(
        URL,
        auth=connector.auth,
        files={
            "backup": (None, archive, "application/octet-stream"),
            "password": (None, BACKUP_PASSWORD),
        },
    )

    assert response.status_code == 204, response.text
    assert refused.status_code == 400
    assert connector.restart()
    assert (
        connector.http.get("/api/v1/configuration/connector", auth=connector.auth).json()[
            "description"
        ]
        == "at backup time"
    )


def test_missing_file_is_400(connector: InProcessServer) -> None:
    """Without the backup part the answer says the file is missing."""
    response = connector.http.put(
        URL, auth=connector.auth, files={"other": ("x", b"x")}, data={"password": "pw"}
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("missing file")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "not a backup archive: not a ZIP file"),
        (b"this is not a zip at all", "not a backup archive: not a ZIP file"),
        (
            b"PK\x03\x04" + b"\x00" * 100,
            "archive is corrupt: the ZIP's end is missing: the file is truncated",
        ),
    ],
)
def test_not_a_zip_is_400(connector: InProcessServer, payload: bytes, message: str) -> None:
    """Empty files, random bytes and broken ZIPs are refused as not a ZIP."""
    response = connector.restore(payload)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_a_zip_that_is_not_a_backup_is_400(connector: InProcessServer) -> None:
    """A well-formed ZIP without a manifest is not a backup archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "hello")

    response = connector.restore(buffer.getvalue())

    assert response.status_code == 400
    assert response.json()["message"].startswith("not a backup archive")


def test_raw_zip_body_without_multipart_is_400(connector: InProcessServer) -> None:
    """A restore sent as the bare ZIP (a known client mistake) is refused with a hint."""
    archive = connector.backup()

    response = connector.http.put(
        URL, auth=connector.auth, content=archive, headers={"content-type": "application/zip"}
    )

    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["message"]


def test_body_over_the_upload_cap_is_413(tmp_path: Path) -> None:
    """A body larger than the cap is refused with 413 before it is parsed."""
    connector = InProcessServer(tmp_path, max_upload_bytes=10_000)

    response = connector.restore(b"x" * 20_000)

    assert response.status_code == 413
    assert response.json()["type"] == "INVALID_REQUEST"
    connector.close()


def _members(archive: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(archive)).namelist()


def _rewrite_member(archive: bytes, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data) if info.filename == name else data)
    return out.getvalue()


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "member",
    ["manifest.json", "manifest.mac", "config.jsonl", "secrets.jsonl.enc", "files/props.ini"],
)
def test_a_flipped_byte_in_any_member_is_refused_and_changes_nothing(
    connector: InProcessServer, member: str
) -> None:
    """Changing one byte of any member makes the restore a 400, with nothing staged."""
    archive = connector.backup()
    assert member in _members(archive)
    tampered = _rewrite_member(archive, member, _flip)
    before = connector.state()

    response = connector.restore(tampered)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert _nothing_staged(connector.instance.data_dir)
    assert connector.state() == before


def test_archive_from_a_newer_format_is_refused(connector: InProcessServer) -> None:
    """An archive whose format version is newer than ours is refused as such."""
    archive = connector.backup()
    tampered = _rewrite_member(
        archive,
        "manifest.json",
        lambda d: d.replace(b'"format_version": 1', b'"format_version": 99'),
    )

    response = connector.restore(tampered)

    assert response.status_code == 400
    assert response.json()["message"].startswith("archive is too new")


def test_dry_run_describes_the_changes_and_changes_nothing(connector: InProcessServer) -> None:
    """dryRun=true validates, reports added/removed/changed per kind, and writes nothing."""
    _describe(connector, "old")
    archive = connector.backup()
    _describe(connector, "new")
    connector.instance.users.add("added-later", "sccdisplay", "added-pw")
    connector.instance.users.set_password("Administrator", "rotated-admin-pw")
    connector.password = "rotated-admin-pw"
    before = connector.state()

    response = connector.restore(archive, dry_run=True)

    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is True
    assert report["changes"]["connector"]["changedEntities"] == [
        {"key": "connector", "name": "Connector", "fields": ["description"],
         "fieldChanges": [{"field": "description", "old": "new", "new": "old"}],
         "secretChanged": False}
    ]  # fmt: skip
    assert report["changes"]["user"]["removedKeys"] == ["added-later"]
    assert report["changes"]["user"]["removedNames"] == ["added-later"]
    assert report["changes"]["user"]["changedEntities"] == [
        {"key": "Administrator", "name": "Administrator", "fields": [], "fieldChanges": [],
         "secretChanged": True}
    ]  # fmt: skip
    assert "$argon2" not in response.text
    assert connector.state() == before
    assert _nothing_staged(connector.instance.data_dir)
    assert connector.restart_requests == 0


def test_dry_run_with_a_wrong_password_is_400(connector: InProcessServer) -> None:
    """The dry run runs the whole validation, password included."""
    archive = connector.backup()

    response = connector.restore(archive, password="nope", dry_run=True)

    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "wrong password: the backup password does not open this archive"
    )


def test_a_safety_backup_is_kept_encrypted_with_the_restore_password(
    connector: InProcessServer,
) -> None:
    """Before a restore the current configuration is saved, openable with the restore's password."""
    archive = connector.backup("restore-pw")
    _describe(connector, "state before restore")

    connector.restore(archive, password="restore-pw")

    safety = list((connector.instance.data_dir / SAFETY_BACKUPS.name).glob("safety-*.zip"))
    assert len(safety) == 1
    with safety[0].open("rb") as src:
        records = list(
            checked_records(read_archive(src, password="restore-pw", product_version="999"))
        )
    assert any(
        r.kind == "connector" and r.body["description"] == "state before restore" for r in records
    )


def test_safety_backups_keep_only_the_newest_five(connector: InProcessServer) -> None:
    """Retention is bounded: after seven restores, five safety backups remain, the newest ones."""
    archive = connector.backup()
    for _ in range(7):
        assert connector.restore(archive).status_code == 204
        connector.restart()

    kept = sorted((connector.instance.data_dir / SAFETY_BACKUPS.name).glob("safety-*.zip"))
    assert len(kept) == 5


def test_props_ini_that_differs_is_written_aside_not_applied(
    connector: InProcessServer, other_connector: InProcessServer
) -> None:
    """A different props.ini becomes props.ini.restored; the installed one stays; missing custom
    paths are reset to their defaults."""
    source_props = connector.instance.data_dir / "props.ini"
    source_props.write_text(
        "[server]\nhost = 127.0.0.1\nport = 9443\n\n[paths]\naudit_log_dir = /nonexistent/audit\n"
    )
    archive = connector.backup()
    target = other_connector.instance.data_dir
    installed = (target / "props.ini").read_text()

    assert other_connector.restore(archive).status_code == 204
    other_connector.restart()

    assert (target / "props.ini").read_text() == installed
    restored = (target / "props.ini.restored").read_text()
    assert "port = 9443" in restored
    assert "/nonexistent/audit" not in restored


def test_equal_props_ini_writes_nothing_aside(connector: InProcessServer) -> None:
    """When props.ini is the same, no props.ini.restored appears."""
    archive = connector.backup()

    connector.restore(archive)
    connector.restart()

    assert not (connector.instance.data_dir / "props.ini.restored").exists()


def test_no_secret_appears_in_plaintext_in_the_archive(connector: InProcessServer) -> None:
    """Neither raw nor decompressed members contain a password, hash or private key."""
    state = connector.state()
    secrets: list[str] = ["backup-pw", connector.password]
    for _kind, _key, _parent, _body, secret in state:
        for value in (secret or {}).values():
            secrets.append(str(value))
    key_pem = next(s for k, *_rest, s in state if k == "uiCertificate" and s)["privateKeyPem"]
    secrets += [line for line in key_pem.splitlines() if len(line) > 20]

    archive = connector.backup("backup-pw")

    blobs = [archive] + [zipfile.ZipFile(io.BytesIO(archive)).read(n) for n in _members(archive)]
    for blob in blobs:
        for secret in secrets:
            assert secret.encode() not in blob


def test_an_archive_holding_an_entity_twice_is_refused(connector: InProcessServer) -> None:
    """A well-signed archive that lists the same entity twice is refused, with nothing staged."""
    from openscc.backup.archive import write_archive
    from openscc.backup.kdf import weak_kdf

    with connector.instance.snapshot() as snapshot:
        records = list(snapshot.iter_all(with_secret=True))
    buffer = io.BytesIO()
    write_archive(
        buffer,
        records=[*records, records[0]],
        files={},
        password="pw",
        kdf=weak_kdf(),
        product_version="0.0.1",
        scc_api_version="2.19.0.2",
        source_instance="elsewhere",
        created_at_ms=1_700_000_000_000,
        keys_unique=True,  # the writer would refuse the duplicate otherwise
    )

    restored = connector.restore(buffer.getvalue(), "pw")
    dry_run = connector.restore(buffer.getvalue(), "pw", dry_run=True)

    assert restored.status_code == 400
    assert restored.json()["message"] == "archive is corrupt: it holds the same entity twice"
    assert dry_run.status_code == 400
    assert "appears twice" in dry_run.json()["message"]
    assert _nothing_staged(connector.instance.data_dir)


def test_an_archive_whose_ui_key_does_not_match_its_certificate_is_refused(
    connector: InProcessServer,
) -> None:
    """Restoring a UI certificate with another key would leave a server that cannot start: 400."""
    from openscc.backup.archive import write_archive
    from openscc.backup.kdf import weak_kdf
    from openscc.config.certs import initial_ui_certificate
    from openscc.store.records import EntityRecord

    stranger = initial_ui_certificate("stranger.example").private_key_pem
    with connector.instance.snapshot() as snapshot:
        records = [
            EntityRecord(
                kind=r.kind,
                key=r.key,
                parent=r.parent,
                body=r.body,
                secret={"privateKeyPem": stranger} if r.kind == "uiCertificate" else r.secret,
            )
            for r in snapshot.iter_all(with_secret=True)
        ]
    buffer = io.BytesIO()
    write_archive(
        buffer,
        records=records,
        files={},
        password="pw",
        kdf=weak_kdf(),
        product_version="0.0.1",
        scc_api_version="2.19.0.2",
        source_instance="x",
        created_at_ms=1_700_000_000_000,
    )

    response = connector.restore(buffer.getvalue(), "pw")

    assert response.status_code == 400
    assert "does not belong to the certificate" in response.json()["message"]
    assert _nothing_staged(connector.instance.data_dir)


def test_every_change_is_refused_once_a_restore_is_committed(connector: InProcessServer) -> None:
    """A password change after the 204 would be lost at the restart: it is refused too."""
    archive = connector.backup()
    connector.restore(archive)

    response = connector.http.put(
        "/api/v1/configuration/connector/authentication/basic",
        auth=connector.auth,
        json={"oldPassword": connector.password, "newPassword": "rotated-too-late"},
    )

    assert response.status_code == 409


def test_a_failed_commit_leaves_no_marker_behind(connector: InProcessServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """If writing the commit marker fails half-way, the restore answers 500 and leaves no marker."""
    import openscc.backup.restore as restore_module
    from openscc.fileio import write_atomically

    def marker_then_failure(data_dir, *, description):  # type: ignore[no-untyped-def]
        write_atomically(data_dir / RESTORE_PENDING.name, b"{}")
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(restore_module, "commit_staged_restore", marker_then_failure)
    archive = connector.backup()

    response = connector.restore(archive)

    assert response.status_code == 500
    assert "nothing was changed" in response.json()["message"]
    assert _nothing_staged(connector.instance.data_dir)
    assert connector.restart_requests == 0

"""Restore on the web page never strands anyone: the preview says beforehand what changes for the
person at the keyboard (the certificate, their password), shows each warning with what to do
and asks for an explicit confirmation, lists the changes by name with old → new values, and
after the restart ends on something a person can act on."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, Page, expect

from openscc.backup.restore_impact import certificate_facts
from support.apps import ADMIN_PASSWORD
from support.browser import chromium, open_page, problems, screenshot
from support.server_process import ServerProcess
from support.web_page import api, log_on

pytestmark = pytest.mark.slow

BACKUP_PASSWORD = "Backup-pa55word-UI"
OTHER_PASSWORD = "Other-admin-pa55"
CONFIG = "/api/v1/configuration"


def _backup_of(server: ServerProcess, tmp_path: Path, password: str = ADMIN_PASSWORD) -> Path:
    with api(server, password) as client:
        archive = client.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD}).content
    path = tmp_path / f"backup-{server.port}.zip"
    path.write_bytes(archive)
    return path


def _preview(page: Page, archive: Path) -> None:
    page.get_by_role("button", name="Restore").click()
    page.get_by_label("Backup file").set_input_files(str(archive))
    page.get_by_label("Backup password").fill(BACKUP_PASSWORD)
    page.get_by_label("Your password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Preview").click()
    expect(
        page.locator(".preview").get_by_role("heading", name="What the restore would change")
    ).to_be_visible()


def _spki_pin(certificate_path: Path) -> str:
    """What Chromium's --ignore-certificate-errors-spki-list takes: base64(SHA-256(SPKI))."""
    cert = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def test_another_instances_backup_is_explained_before_and_after_the_restart(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The browser trusts this connector's certificate only (as a person who accepted it once):
    after restoring another instance's backup, the page ends on the new fingerprint and a link."""
    other_dir = tmp_path / "other"
    with ServerProcess(other_dir, admin_password=OTHER_PASSWORD).start() as other:
        archive = _backup_of(other, tmp_path, OTHER_PASSWORD)
        theirs = certificate_facts(other.certificate_path.read_text())["sha256"]
    ours = certificate_facts(server.certificate_path.read_text())["sha256"]
    pin = _spki_pin(server.certificate_path)
    with chromium((f"--ignore-certificate-errors-spki-list={pin}",)) as browser:
        page = open_page(browser, server.url, any_certificate=False)
        log_on(page)

        _preview(page, archive)

        you = page.locator(".for-you")
        expect(you).to_contain_text(theirs)
        expect(you).to_contain_text(ours)
        expect(you).to_contain_text("your password for Administrator will no longer work")
        screenshot(page, "restore-preview-other-instance")
        page.get_by_role("dialog").get_by_role("button", name="Restore", exact=True).click()

        expect(page.get_by_role("heading", name="Restoring")).to_be_visible()
        advice = page.get_by_role("alert")
        expect(advice).to_contain_text(f"the certificate from the backup (SHA-256 {theirs})")
        expect(advice.get_by_role("link", name="Reload this address")).to_have_attribute(
            "href", f"{server.url}/ui/"
        )
        screenshot(page, "restore-new-certificate")


def test_warnings_are_sentences_with_what_to_do_and_need_a_confirmation(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    archive = _backup_of(server, tmp_path)
    props = server.data_dir / "props.ini"
    props.write_bytes(props.read_bytes() + b"\n# changed on this host\n")
    page = open_page(browser, server.url)
    log_on(page)

    _preview(page, archive)

    warnings = page.locator("ul.warnings")
    expect(warnings).to_contain_text("PROPS_INI_DIFFERS")
    expect(warnings).to_contain_text("What to do: After the restore, compare props.ini.restored")
    restore = page.get_by_role("dialog").get_by_role("button", name="Restore", exact=True)
    expect(restore).to_be_disabled()
    page.get_by_label("I have read the warnings and want to restore anyway").check()
    expect(restore).to_be_enabled()
    screenshot(page, "restore-warnings")
    assert problems(page) == []


def test_changes_are_named_with_old_and_new_values_and_success_is_not_an_error(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    with api(server) as client:
        client.put(f"{CONFIG}/connector", json={"description": "as it was backed up"})
    archive = _backup_of(server, tmp_path)
    with api(server) as client:
        client.put(f"{CONFIG}/connector", json={"description": "changed after the backup"})
    page = open_page(browser, server.url)
    log_on(page)

    _preview(page, archive)

    preview = page.locator(".preview")
    expect(preview.get_by_role("row", name=re.compile(r"^Connector 0 0 1"))).to_be_visible()
    expect(preview).to_contain_text("description: changed after the backup → as it was backed up")
    expect(page.locator(".for-you")).to_contain_text("keep working")
    page.get_by_role("dialog").get_by_role("button", name="Restore", exact=True).click()

    expect(page.get_by_role("heading", name="Log on")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("restored")
    expect(page.get_by_role("alert")).to_be_hidden()
    assert problems(page) == []


def test_each_wrong_password_is_named(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    archive = _backup_of(server, tmp_path)
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("button", name="Restore").click()
    page.get_by_label("Backup file").set_input_files(str(archive))
    page.get_by_label("Your password").fill(ADMIN_PASSWORD)

    page.get_by_label("Backup password").fill("not-the-backup-password")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The backup password does not open this archive."
    )

    page.get_by_label("Backup password").fill(BACKUP_PASSWORD)
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_have_text("Your own password is not correct.")


def test_the_backup_dialog_closes_names_the_file_and_warns_of_a_short_password(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("button", name="Backup").click()

    page.get_by_label("Backup password").fill("short")
    expect(page.locator("#short-password")).to_be_visible()
    page.get_by_label("Backup password").fill(BACKUP_PASSWORD)
    expect(page.locator("#short-password")).to_be_hidden()
    page.get_by_label("Repeat password").fill(BACKUP_PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Create backup").click()

    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#announcement")).to_have_text(
        f"Backup downloaded as {download.value.suggested_filename}."
    )

"""The web page in a real headless Chromium against a real ``openscc serve``: the first logon,
backup, restore with its preview, errors, what a display user sees, the security headers, and no
console errors anywhere."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from playwright.sync_api import Browser, Page, expect

from openscc.auth.policy import INITIAL_PASSWORD
from openscc.auth.users import ADMINISTRATOR
from openscc.config import certs
from support.apps import ADMIN_PASSWORD
from support.browser import open_page, problems, screenshot
from support.server_process import ServerProcess
from support.web_page import VIEWER, VIEWER_PASSWORD, api, log_on

pytestmark = pytest.mark.slow

BACKUP_PASSWORD = "Backup-pa55word-UI"
CONFIG = "/api/v1/configuration"
VERIFY = [sys.executable, "-m", "openscc", "backup", "verify"]


def _preview_restore(
    page: Page,
    archive: Path,
    *,
    backup_password: str = BACKUP_PASSWORD,
    own_password: str = ADMIN_PASSWORD,
) -> None:
    """Open the Restore dialog, fill it in and ask for the preview."""
    page.get_by_role("button", name="Restore").click()
    page.get_by_label("Backup file").set_input_files(str(archive))
    page.get_by_label("Backup password").fill(backup_password)
    page.get_by_label("Your password").fill(own_password)
    page.get_by_role("button", name="Preview").click()


def test_the_first_logon_changes_the_initial_password_and_sets_the_role(
    browser: Browser, tmp_path: Path
) -> None:
    with ServerProcess(tmp_path / "data", admin_password=None).start() as server:
        page = open_page(browser, server.url)
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/ui/#/logon$"))
        screenshot(page, "logon")
        page.get_by_label("User name").fill(ADMINISTRATOR)
        page.get_by_label("Password").fill(INITIAL_PASSWORD)
        page.keyboard.press("Enter")  # the keyboard alone logs on

        expect(page.get_by_role("heading", name="Change the initial password")).to_be_visible()
        page.get_by_label("Current password").fill(INITIAL_PASSWORD)
        page.get_by_label("New password", exact=True).fill("First-pa55word")
        page.get_by_label("Repeat new password").fill("First-pa55word")
        page.get_by_role("button", name="Change password").click()

        expect(page.get_by_role("heading", name="Choose this instance's role")).to_be_visible()
        page.get_by_label("Master").check()
        page.get_by_role("button", name="Set role").click()

        expect(page.get_by_role("heading", name="Connector")).to_be_visible()
        expect(page.locator("#ha-role")).to_have_text("master")
        with api(server, "First-pa55word") as client:
            assert client.get(f"{CONFIG}/connector/haRole").json() == "master"
        assert problems(page) == []


def test_a_failed_logon_is_announced(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    page.goto("/")
    page.get_by_label("User name").fill(ADMINISTRATOR)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log on").click()

    expect(page.get_by_role("alert")).to_have_text("The user name or password is not correct.")
    expect(page.get_by_role("heading", name="Log on")).to_be_visible()
    for _ in range(5):  # the fifth failure locks the user; the next logon says so
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log on").click()
        page.wait_for_function("() => !document.querySelector('[role=alert]').hidden")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed logons")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)  # even the right password, for now
    page.get_by_role("button", name="Log on").click()
    expect(page.get_by_role("alert")).to_contain_text("locked")


def test_a_backup_downloads_an_archive_that_verifies(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    screenshot(page, "connector")
    page.get_by_role("button", name="Backup").click()
    page.get_by_label("Backup password").fill(BACKUP_PASSWORD)
    page.get_by_label("Repeat password").fill(BACKUP_PASSWORD)
    screenshot(page, "backup")

    with page.expect_download() as download:
        page.get_by_role("button", name="Create backup").click()

    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert re.fullmatch(r"openscc-backup-\d{8}-\d{6}\.zip", saved.name)
    expect(page.locator("#announcement")).to_contain_text(f"Backup downloaded as {saved.name}")
    # The dialog and its password are gone, and the password never was in a URL.
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert BACKUP_PASSWORD not in page.content()
    assert BACKUP_PASSWORD not in page.url
    password_file = tmp_path / "password"
    password_file.write_text(BACKUP_PASSWORD)
    # As a user would (a process: Playwright's loop runs in this thread).
    verified = subprocess.run(
        [*VERIFY, "--backup-password-file", str(password_file), str(saved)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert BACKUP_PASSWORD not in server.log_text()
    assert problems(page) == []


def test_a_restore_is_previewed_then_confirmed_and_the_connector_restarts(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    with api(server) as client:
        client.put(f"{CONFIG}/connector", json={"description": "as it was backed up"})
        archive = client.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD}).content
        client.put(f"{CONFIG}/connector", json={"description": "changed after the backup"})
    backup = tmp_path / "backup.zip"
    backup.write_bytes(archive)
    page = open_page(browser, server.url)
    log_on(page)

    _preview_restore(page, backup)

    preview = page.locator(".preview")
    expect(preview.get_by_role("heading", name="What the restore would change")).to_be_visible()
    expect(preview.get_by_role("row", name=re.compile(r"^Connector 0 0 1"))).to_be_visible()
    expect(preview).to_contain_text("(this one)")
    screenshot(page, "restore-preview")
    page.get_by_role("dialog").get_by_role("button", name="Restore", exact=True).click()

    expect(page.get_by_role("heading", name="Restoring")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("restored", timeout=60_000)
    expect(page.get_by_role("heading", name="Log on")).to_be_visible()
    log_on(page)
    expect(page.get_by_label("Description")).to_have_value("as it was backed up")
    assert problems(page) == []


def test_a_wrong_backup_password_is_shown_and_nothing_changes(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    with api(server) as client:
        archive = client.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD}).content
        client.put(f"{CONFIG}/connector", json={"description": "must stay"})
    backup = tmp_path / "backup.zip"
    backup.write_bytes(archive)
    page = open_page(browser, server.url)
    log_on(page)

    _preview_restore(page, backup, backup_password="the-wrong-password")

    expect(page.get_by_role("alert")).to_contain_text("password")
    expect(
        page.get_by_role("dialog").get_by_role("button", name="Restore", exact=True)
    ).to_be_hidden()
    with api(server) as client:
        assert client.get(f"{CONFIG}/connector").json()["description"] == "must stay"


def test_a_wrong_own_password_stops_the_restore(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    with api(server) as client:
        archive = client.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD}).content
    backup = tmp_path / "backup.zip"
    backup.write_bytes(archive)
    page = open_page(browser, server.url)
    log_on(page)

    _preview_restore(page, backup, own_password="not-my-password")

    expect(page.get_by_role("alert")).to_have_text("Your own password is not correct.")


def test_a_display_user_sees_no_backup_or_restore_and_cannot_reach_them(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page, VIEWER, VIEWER_PASSWORD)

    expect(page.locator("#ha-role")).to_have_text("master")
    expect(page.get_by_role("button", name="Backup")).to_have_count(0)
    expect(page.get_by_role("button", name="Restore")).to_have_count(0)
    expect(page.get_by_role("link", name="Safety backups")).to_be_hidden()
    expect(page.get_by_label("Description")).to_have_count(0)  # read-only for this role
    page.goto("/ui/#/safety-backups")
    expect(page.get_by_role("alert")).to_have_text(
        "Only an Administrator may see the safety backups."
    )
    assert problems(page) == []
    # The API the page calls refuses it too, whatever the page shows.
    status = page.evaluate("async () => (await fetch('/api/openscc/v1/backup/safety')).status")
    assert status == 403


def test_the_safety_backups_are_listed_and_downloadable(
    browser: Browser, server: ServerProcess
) -> None:
    with api(server) as client:
        archive = client.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD}).content
        restored = client.put(
            f"{CONFIG}/backup",
            files={"backup": ("b.zip", archive)},
            data={"password": BACKUP_PASSWORD},
        )
        assert restored.status_code == 204
    server.wait_ready()
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Safety backups").click()

    row = page.get_by_role("row", name=re.compile("a restore"))
    expect(row).to_have_count(1)
    with page.expect_download() as download:
        row.get_by_role("button", name=re.compile("^Download safety-")).click()
    assert download.value.suggested_filename.startswith("safety-")
    assert problems(page) == []


def test_pages_carry_a_strict_policy_and_the_session_cookie_is_locked_down(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    response = page.goto("/ui/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    log_on(page)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "JSESSIONID"]
    assert cookie["secure"]
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    assert problems(page) == []
    # A change without the CSRF token is refused, even with the session cookie.
    status = page.evaluate(
        """async () => (await fetch('/api/v1/configuration/connector', {method: 'PUT',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({description: 'forged'})})).status"""
    )
    assert status == 403


def test_log_off_ends_the_session(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("button", name="Log off").click()

    expect(page.get_by_role("heading", name="Log on")).to_be_visible()
    status = page.evaluate(
        "async () => (await fetch('/api/openscc/v1/session',"
        " {headers: {'X-Requested-With': 'XMLHttpRequest'}})).status"
    )
    assert status == 401  # the cookie is gone, and the session with it


def test_the_connector_page_warns_of_an_expiring_certificate(
    browser: Browser, server: ServerProcess
) -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "soon expired CA")])
    pem = certs.self_signed(subject, is_ca=True, days=10).certificate_pem
    with api(server) as client:
        trusted = client.post(
            f"{CONFIG}/connector/onPremise/truststore/certificates",
            files={"certificate": ("ca.pem", pem, "application/x-pem-file")},
        )
        assert trusted.status_code < 300, trusted.text
    page = open_page(browser, server.url)
    log_on(page)

    warning = page.get_by_role("listitem").filter(has_text="TrustedBackend")
    expect(warning).to_contain_text("expires soon")
    assert problems(page) == []


def test_a_file_that_is_not_a_backup_is_named_so(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    not_a_backup = tmp_path / "notes.zip"
    not_a_backup.write_text("these are notes, not a backup")
    page = open_page(browser, server.url)
    log_on(page)

    _preview_restore(page, not_a_backup)

    expect(page.get_by_role("dialog").get_by_role("alert")).to_contain_text("not a")

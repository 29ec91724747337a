"""The Settings page against real components: an LDAP server configured and a logon tested on
a real OpenLDAP server before saving; alert e-mail configured and a test e-mail sent to a real
SMTP server; the audit and log levels; a self-signed UI certificate. Checked through the API."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from support.browser import open_page, problems, screenshot
from support.ldap_server import LdapServer
from support.server_process import ServerProcess
from support.smtp import MailPki, SmtpServer
from support.web_page import api, log_on

pytestmark = pytest.mark.slow

CONNECTOR = "/api/v1/configuration/connector"


def test_ldap_is_tested_with_a_logon_then_saved(
    browser: Browser, server: ServerProcess, ldap_directory: LdapServer
) -> None:
    configuration = ldap_directory.configuration()
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Add LDAP server").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Host").fill("127.0.0.1")
    dialog.get_by_label("Port").fill(str(ldap_directory.ldap_port))
    dialog.get_by_label("Connection user (DN)").fill(str(configuration["user"]))
    dialog.get_by_label("Connection user's password (empty: keep it)").fill(
        str(configuration["password"])
    )
    dialog.get_by_label("Search rules", exact=False).fill(str(configuration["config"]))
    dialog.get_by_label("Test user", exact=True).fill("alice")
    dialog.get_by_label("Test user's password").fill("wrong")
    dialog.get_by_role("button", name="Test logon").click()
    expect(dialog.locator("#ldap-test-result")).to_contain_text(
        "Does not log on: the directory refused"
    )
    dialog.get_by_label("Test user's password").fill(ldap_directory.passwords["alice"])
    dialog.get_by_role("button", name="Test logon").click()
    expect(dialog.locator("#ldap-test-result")).to_contain_text("Logs on: uid=alice")
    expect(dialog.locator("#ldap-test-result")).to_contain_text("sccadmin")
    screenshot(page, "settings-ldap-test")
    dialog.get_by_role("button", name="Save").click()

    expect(
        page.get_by_role("cell", name=f"ldap://127.0.0.1:{ldap_directory.ldap_port}")
    ).to_be_visible()
    with api(server) as client:
        stored = client.get("/api/v2/configuration/connector/authentication/ldap").json()
    assert stored["enabled"] is False
    assert [h["port"] for h in stored["orderedLdapConfigurations"][0]["hosts"]] in (
        [ldap_directory.ldap_port],
        [str(ldap_directory.ldap_port)],
    )
    assert problems(page) == []


def test_alert_email_is_configured_and_a_test_email_arrives(
    browser: Browser, server: ServerProcess
) -> None:
    with SmtpServer(MailPki.make(), tls="none") as smtp:
        page = open_page(browser, server.url)
        log_on(page)
        page.get_by_role("link", name="Settings").click()
        page.get_by_role("button", name="Edit e-mail").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Send alert e-mails").check()
        dialog.get_by_label("SMTP host").fill("127.0.0.1")
        dialog.get_by_label("SMTP port").fill(str(smtp.port))
        dialog.get_by_label("From").fill("openscc@example.com")
        dialog.get_by_label("To", exact=True).fill("ops@example.com")
        dialog.get_by_label("Certificate check").select_option("tlsDisabled")
        dialog.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"127.0.0.1:{smtp.port}")).to_be_visible()

        page.get_by_role("button", name="Send a test e-mail").click()

        expect(page.locator("#announcement")).to_contain_text("Test e-mail sent to ops@example.com")
        [message] = smtp.wait_for(1)
        assert message["Subject"] == "[openscc] Test e-mail"


def test_audit_and_log_levels_and_a_self_signed_ui_certificate(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Settings").click()

    page.get_by_role("button", name="Edit alerting").click()
    page.get_by_role("dialog").get_by_label("E-mail cpu load alerts").uncheck()
    page.get_by_role("dialog").get_by_label("Free disk space below (MB)").fill("250")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="Edit audit log").click()
    page.get_by_role("dialog").get_by_label("Audit level").select_option("ALL")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Edit log levels").click()
    page.get_by_role("dialog").get_by_label("openscc log level").select_option("DEBUG")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Create self-signed").click()
    page.get_by_role("dialog").get_by_label("Subject (e.g. CN=scc.example.com)").fill(
        "CN=scc.ui.test"
    )
    page.get_by_role("dialog").get_by_label("Host name (subject alternative name)").fill(
        "scc.ui.test"
    )
    page.get_by_role("dialog").get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    screenshot(page, "settings")

    with api(server) as client:
        alerting = client.get(f"{CONNECTOR}/alerting").json()
        assert alerting["notification"]["CPU"] is False
        assert alerting["thresholds"]["freeDiskSpaceMb"] == 250
        assert client.get(f"{CONNECTOR}/auditLog").json()["level"] == "ALL"
        assert client.get(f"{CONNECTOR}/logAndTrace").json()["sccLogLevel"] == "DEBUG"
        assert client.get(f"{CONNECTOR}/ui/uiCertificate").json()["subjectDN"] == "CN=scc.ui.test"
    assert problems(page) == []

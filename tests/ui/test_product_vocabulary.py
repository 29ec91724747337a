"""The page speaks the product's language, not the API's: SAP's labels for back-end types,
protocols and principal types, the mapping dialog's fields as SAP's has them, errors naming the
field in words, the user dialog starting at the least-privileged role with the password twice,
one way of naming versions, and states at a glance (no tunnel as neutral, expiry in colour)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from openscc import versions_text
from support.browser import open_page, problems, screenshot
from support.server_process import ServerProcess
from support.web_page import api, log_on

pytestmark = pytest.mark.slow

REGION = "cf.eu10.hana.ondemand.com"
CONFIG = "/api/v1/configuration"
SA = f"{CONFIG}/subaccounts/{REGION}/plant-9"


@pytest.fixture
def server(server: ServerProcess) -> ServerProcess:
    with api(server) as admin:
        made = admin.post(f"{CONFIG}/subaccounts", json={"regionHost": REGION, "subaccount": "plant-9",
                          "displayName": "Plant 9", "cloudUser": "u", "cloudPassword": "p"})  # fmt: skip
        assert made.status_code == 201, made.text
    return server


def test_a_mapping_is_added_in_the_products_words(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.goto(f"/ui/#/subaccount/{REGION}/plant-9")
    expect(page.get_by_role("heading", name="Plant 9", exact=True)).to_be_visible()
    page.get_by_role("button", name="Add system mapping").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Back-end type").select_option(label="ABAP System")
    dialog.get_by_label("Protocol").select_option(label="HTTPS")
    dialog.get_by_label("Virtual host").fill("erp.virtual")
    dialog.get_by_label("Virtual port").fill("99999")
    dialog.get_by_label("Internal host").fill("erp.internal")
    dialog.get_by_label("Internal port").fill("44300")
    dialog.get_by_label("Principal type").select_option(label="X.509 Certificate")
    dialog.get_by_label("Allow the system certificate for logon").uncheck()
    dialog.get_by_label("Host in request header (HTTP and HTTPS)").select_option(
        label="Use Internal Host"
    )
    dialog.get_by_role("button", name="Add").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Virtual port: enter a number between 1 and 65535"
    )
    dialog.get_by_label("Virtual port").fill("443")
    screenshot(page, "system-mapping-dialog")
    dialog.get_by_role("button", name="Add").click()

    expect(page.get_by_role("cell", name="ABAP System")).to_be_visible()
    with api(server) as client:
        [mapping] = client.get(f"{SA}/systemMappings").json()
    assert (mapping["backendType"], mapping["protocol"]) == ("abapSys", "HTTPS")
    assert (mapping["authenticationMode"], mapping["hostInHeader"]) == (
        "X509_RESTRICTED",
        "INTERNAL",
    )
    # The one refused request (the port) is the only thing the browser logged.
    assert [p for p in problems(page) if "status of 400" not in p] == []


def test_a_new_user_starts_as_display_with_the_password_twice(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Users and roles").click()
    page.get_by_role("button", name="Add user").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Role")).to_have_value("sccdisplay")
    dialog.get_by_label("User name").fill("reader")
    dialog.get_by_label("Password", exact=True).fill("Reader-pa55word")
    dialog.get_by_label("Repeat password").fill("Reader-pa55wort")
    dialog.get_by_role("button", name="Add").click()
    expect(dialog.get_by_role("alert")).to_have_text("Repeat password: it does not match.")
    dialog.get_by_label("Repeat password").fill("Reader-pa55word")
    dialog.get_by_role("button", name="Add").click()

    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="reader", exact=True))
    expect(row.get_by_role("cell", name="Display (sccdisplay)")).to_be_visible()
    with api(server) as client:
        roles = {u["user"]: u["role"] for u in client.get("/api/openscc/v1/users").json()}
    assert roles["reader"] == "sccdisplay"


def test_versions_states_and_expiry_at_a_glance(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    log_on(page)

    expect(page.locator("#versions")).to_have_text(versions_text())
    tunnel = page.locator(".tunnel-none").first
    expect(tunnel).to_contain_text("No tunnel")
    expect(tunnel).to_contain_text("openscc does not connect to SAP BTP")
    expect(tunnel.locator(".badge.neutral")).to_be_visible()
    page.get_by_role("link", name="Certificates").click()
    expect(page.locator(".badge.ok", has_text="valid").first).to_be_visible()
    assert problems(page) == []

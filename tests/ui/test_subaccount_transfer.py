"""Subaccounts as the product has them: added from the Connector page, and one subaccount's
configuration exported and imported (openscc's partial restore) after a preview, everything else
untouched. Checked through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from support.apps import ADMIN_PASSWORD
from support.browser import open_page, problems, screenshot
from support.server_process import ServerProcess
from support.web_page import api, log_on

pytestmark = pytest.mark.slow

REGION = "cf.eu10.hana.ondemand.com"
SUBACCOUNTS = "/api/v1/configuration/subaccounts"
EXPORT_PASSWORD = "Export-pa55word"


def test_a_subaccount_is_added_from_the_connector_page(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page)

    page.get_by_role("button", name="Add subaccount").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Subaccount ID").fill("plant-3")
    dialog.get_by_label("Display name").fill("Plant 3")
    dialog.get_by_label("Subaccount user", exact=True).fill("user@example.com")
    dialog.get_by_label("Subaccount user's password").fill("cloud-secret")
    dialog.get_by_role("button", name="Add").click()

    expect(page.get_by_role("cell", name="Plant 3")).to_be_visible()
    with api(server) as client:
        assert [s["subaccount"] for s in client.get(SUBACCOUNTS).json()] == ["plant-3"]


def test_one_subaccount_is_exported_and_imported_after_a_preview(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    base = f"{SUBACCOUNTS}/{REGION}"
    with api(server) as client:
        for name in ("plant-1", "plant-2"):
            client.post(SUBACCOUNTS, json={"regionHost": REGION, "subaccount": name,
                                           "displayName": name, "cloudUser": "u", "cloudPassword": "p"})  # fmt: skip
            client.put(f"{base}/{name}", json={"description": "as exported"})
    page = open_page(browser, server.url)
    log_on(page)
    page.goto(f"/ui/#/subaccount/{REGION}/plant-1")

    page.get_by_role("button", name="Export").click()
    page.get_by_role("dialog").get_by_label("Export password").fill(EXPORT_PASSWORD)
    page.get_by_role("dialog").get_by_label("Repeat password").fill(EXPORT_PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("dialog").get_by_role("button", name="Export").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name.startswith("subaccount-plant-1-")
    expect(page.locator("#announcement")).to_contain_text("exported as")

    with api(server) as client:  # both change after the export
        for name in ("plant-1", "plant-2"):
            client.put(f"{base}/{name}", json={"description": "changed later"})
    page.get_by_role("button", name="Import").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Export or backup file").set_input_files(str(exported))
    dialog.get_by_label("Its password").fill(EXPORT_PASSWORD)
    dialog.get_by_label("Your password").fill(ADMIN_PASSWORD)
    dialog.get_by_role("button", name="Preview").click()
    expect(dialog.locator(".preview")).to_contain_text("description: changed later → as exported")
    screenshot(page, "subaccount-import")
    dialog.get_by_role("button", name="Import").click()

    expect(page.get_by_role("dialog")).to_have_count(0)
    with api(server) as client:
        assert client.get(f"{base}/plant-1").json()["description"] == "as exported"
        assert client.get(f"{base}/plant-2").json()["description"] == "changed later"
    assert problems(page) == []

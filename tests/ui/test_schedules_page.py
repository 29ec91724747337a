"""Backup schedules are added, edited, run and deleted from the page, checked through the API:
the target's own fields (a directory; Azure Blob Storage, run against a real Azurite), the
password twice, retention said in words, runs coloured by status with a failed run's error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from support.azurite import ACCOUNT, KEY, Azurite
from support.browser import open_page, problems, screenshot
from support.server_process import ServerProcess
from support.web_page import api, log_on

pytestmark = pytest.mark.slow

SCHEDULES = "/api/openscc/v1/backup/schedules"
PASSWORD = "Schedule-pa55word"


def test_a_schedule_is_added_edited_run_and_deleted(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    target = tmp_path / "archives"
    target.mkdir()
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Backup schedules").click()

    page.get_by_role("button", name="Add schedule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("nightly")
    dialog.get_by_label("When (cron, UTC)").fill("0 3 * * *")
    dialog.get_by_label("Directory (absolute path)").fill(str(target))
    dialog.get_by_label("Backup password", exact=True).fill(PASSWORD)
    dialog.get_by_label("Repeat backup password").fill("not the same")
    dialog.get_by_label("Keep the last").fill("7")
    dialog.get_by_label("Keep weekly").fill("4")
    expect(dialog.locator("#retention-words")).to_have_text(
        "Retention: keep the last 7 and 4 weekly."
    )
    dialog.get_by_role("button", name="Add").click()
    expect(dialog.get_by_role("alert")).to_have_text("The backup passwords do not match.")
    dialog.get_by_label("Repeat backup password").fill(PASSWORD)
    screenshot(page, "schedule-add")
    dialog.get_by_role("button", name="Add").click()

    expect(page.get_by_role("cell", name="keep the last 7 and 4 weekly")).to_be_visible()
    with api(server) as client:
        [made] = client.get(SCHEDULES).json()
    assert (made["name"], made["cron"], made["target"], made["keep"]) == (
        "nightly",
        "0 3 * * *",
        {"type": "directory", "path": str(target)},
        {"last": 7, "weekly": 4},
    )

    page.get_by_role("button", name="Edit nightly").click()
    page.get_by_role("dialog").get_by_label("When (cron, UTC)").fill("30 1 * * *")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()  # password kept
    expect(page.get_by_role("cell", name="30 1 * * *")).to_be_visible()

    shutil.rmtree(target)  # the next run cannot write: it fails, and says why
    page.get_by_role("button", name="Run nightly now").click()
    failed = page.locator(".badge.bad", has_text="failed")
    expect(failed).to_be_visible()
    expect(page.locator("td .error")).not_to_have_text("")
    screenshot(page, "schedules")

    page.get_by_role("button", name="Delete nightly").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No backup schedules yet.")).to_be_visible()
    with api(server) as client:
        assert client.get(SCHEDULES).json() == []
    assert problems(page) == []


def test_a_schedule_to_azure_is_added_run_and_edited_keeping_its_key(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    """The Azure target's fields (account, container, prefix, blob service URL, key or SAS),
    a run to a real Azurite shown with its azure:// archive, and an edit that keeps the key the
    page never sees."""
    with Azurite(tmp_path / "azurite") as azurite:
        azurite.create_container("scc-backups")
        page = open_page(browser, server.url)
        log_on(page)
        page.get_by_role("link", name="Backup schedules").click()

        page.get_by_role("button", name="Add schedule").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill("offsite")
        dialog.get_by_label("Target").select_option("azure")
        expect(dialog.get_by_label("Directory (absolute path)")).to_be_hidden()
        dialog.get_by_label("Storage account").fill(ACCOUNT)
        dialog.get_by_label("Container", exact=True).fill("scc-backups")
        dialog.get_by_label("Prefix in the container").fill("plant-7")
        dialog.get_by_label("Blob service URL (empty: Azure's public cloud)").fill(azurite.endpoint)
        dialog.get_by_label("Account key", exact=False).fill(KEY)
        dialog.get_by_label("Backup password", exact=True).fill(PASSWORD)
        dialog.get_by_label("Repeat backup password").fill(PASSWORD)
        screenshot(page, "schedule-add-azure")
        dialog.get_by_role("button", name="Add").click()

        expect(
            page.get_by_role("cell", name=f"azure://{ACCOUNT}/scc-backups/plant-7")
        ).to_be_visible()
        with api(server) as client:
            [made] = client.get(SCHEDULES).json()
        assert made["target"] == {"type": "azure", "account": ACCOUNT, "container": "scc-backups",
                                  "prefix": "plant-7", "endpoint": azurite.endpoint,
                                  "credentials": "key"}  # fmt: skip

        page.get_by_role("button", name="Run offsite now").click()
        expect(page.locator(".badge.ok", has_text="succeeded")).to_be_visible()
        [blob] = azurite.names("scc-backups")
        expect(
            page.get_by_role("cell", name=f"azure://{ACCOUNT}/scc-backups/{blob}")
        ).to_be_visible()

        page.get_by_role("button", name="Edit offsite").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_label("Storage account")).to_have_value(ACCOUNT)
        expect(dialog.get_by_text("Now: an account key is stored.")).to_be_visible()
        expect(dialog.get_by_label("Account key", exact=False)).to_have_value("")
        dialog.get_by_label("Prefix in the container").fill("plant-8")
        screenshot(page, "schedule-edit-azure")
        dialog.get_by_role("button", name="Save").click()
        expect(
            page.get_by_role("cell", name=f"azure://{ACCOUNT}/scc-backups/plant-8")
        ).to_be_visible()
        with api(server) as client:
            [changed] = client.get(SCHEDULES).json()
        assert changed["target"]["credentials"] == "key"
        assert KEY not in page.content()
        assert problems(page) == []

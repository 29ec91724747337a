"""Backup schedules are added, edited, run and deleted from the page, checked through the API:
the target's own fields, the password twice, retention said in words, runs coloured by status
with a failed run's error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

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

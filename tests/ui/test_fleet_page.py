"""The Fleet page against three real servers' worth of connectors: each schedule's connector in a
row with its state in colour, Run now, and a restore that sends an archive back to its connector
after showing that connector's dry run, confirmed by a button naming it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from support.browser import open_page, problems, screenshot
from support.connectors import CONNECTOR, description_of
from support.server_process import ServerProcess
from support.waiting import wait_for
from support.web_page import api, log_on

pytestmark = pytest.mark.slow

SCHEDULES = "/api/openscc/v1/backup/schedules"
PASSWORD = "Fleet-backup-pa55word"


def _schedule(
    server: ServerProcess, name: str, target: Path, source: dict[str, Any] | None
) -> None:
    body = {"name": name, "cron": "0 3 * * *", "password": PASSWORD,
            "target": {"type": "directory", "path": str(target)},
            **({"source": source} if source else {})}  # fmt: skip
    with api(server) as client:
        assert client.post(SCHEDULES, json=body).status_code == 201


def test_the_fleet_page_runs_shows_and_restores_a_connector(
    browser: Browser,
    server: ServerProcess,
    server_factory: Callable[..., ServerProcess],
    tmp_path: Path,
) -> None:
    alpha = server_factory(tmp_path / "alpha").start()
    user, password = alpha.admin_auth
    source = {"type": "connector", "url": alpha.url, "user": user, "password": password,
              "certificate": alpha.certificate_path.read_text()}  # fmt: skip
    target = tmp_path / "archives"
    target.mkdir()
    with api(alpha) as client:
        assert client.put(CONNECTOR, json={"description": "as backed up"}).status_code == 200
    _schedule(server, "broken", target, {**source, "password": "Not-the-pa55word"})
    _schedule(server, "own", target, None)
    page = open_page(browser, server.url)
    log_on(page)
    # alpha's schedule, added on the Backup schedules page; then edited, its secrets kept.
    page.get_by_role("link", name="Backup schedules").click()
    page.get_by_role("button", name="Add schedule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("alpha")
    dialog.get_by_label("Back up").select_option(
        label="Another Cloud Connector, through its backup API"
    )
    dialog.get_by_label("Its address").fill(alpha.url)
    dialog.get_by_label("User (an Administrator there)").fill(user)
    dialog.get_by_label("Its password").fill(password)
    dialog.get_by_label("Certificate, PEM").fill(source["certificate"])
    dialog.get_by_label("Directory (absolute path)").fill(str(target))
    dialog.get_by_label("Backup password", exact=True).fill(PASSWORD)
    dialog.get_by_label("Repeat backup password").fill(PASSWORD)
    screenshot(page, "schedule-add-source")
    dialog.get_by_role("button", name="Add").click()
    alpha_row = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name="alpha", exact=True)
    )
    expect(alpha_row.get_by_role("cell", name=alpha.url)).to_be_visible()
    page.get_by_role("button", name="Edit alpha").click()
    edit = page.get_by_role("dialog")
    expect(edit.get_by_text("Now pinned: SHA-256")).to_be_visible()
    edit.get_by_label("When (cron, UTC)").fill("0 4 * * *")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="0 4 * * *")).to_be_visible()
    with api(server) as client:
        shown = client.get(f"{SCHEDULES}/alpha").json()["source"]
    assert (shown["url"], shown["user"]) == (alpha.url, user)
    assert "certificateSha256" in shown

    page.get_by_role("link", name="Fleet").click()
    row = page.get_by_role("row").filter(has=page.get_by_text("schedule alpha", exact=True))
    expect(row.locator(".badge.warn", has_text="never")).to_be_visible()
    page.get_by_role("button", name="Run alpha now").click()
    expect(row.locator(".badge.ok", has_text="ok")).to_be_visible()
    page.get_by_role("button", name="Run broken now").click()
    broken = page.get_by_role("row").filter(has=page.get_by_text("schedule broken", exact=True))
    expect(broken.locator(".badge.bad", has_text="failing")).to_be_visible()
    expect(broken.locator("td .error")).to_contain_text("refused the user")
    expect(page.locator(".fleet-summary")).to_have_text("1 of 3 schedules protected or running.")
    screenshot(page, "fleet")

    with api(alpha) as client:
        assert client.put(CONNECTOR, json={"description": "changed since"}).status_code == 200
    page.get_by_role("button", name=f"Restore {alpha.url} from an archive of alpha").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=f"Restore {alpha.url}")).to_be_visible()
    expect(dialog.get_by_text("What the restore would change")).to_be_visible()
    expect(dialog.get_by_text("changed since → as backed up")).to_be_attached()
    screenshot(page, "fleet-restore")
    assert description_of(alpha) == "changed since"  # the preview changed nothing
    dialog.get_by_role("button", name=f"Restore on {alpha.url}").click()

    expect(page.locator(".fleet-restored")).to_contain_text(f"{alpha.url} accepted")
    wait_for(lambda: description_of(alpha) == "as backed up", "alpha to restart into the archive")
    assert problems(page) == []

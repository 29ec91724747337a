"""The High availability page against two real instances: on the shadow, its settings, connecting
as SAP's pages describe (the master's user and password) and the pinned certificate's
fingerprint; on the master, the shadow's state and host, the settings and switching roles. What
the page did is checked through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from openscc.auth.users import ADMINISTRATOR
from openscc.backup.restore_impact import certificate_facts
from support.browser import open_page, problems, screenshot
from support.ha_pair import HA, HaNode, configure, enable, wait_for
from support.web_page import log_on

pytestmark = pytest.mark.slow


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[HaNode, HaNode]]:
    master = HaNode.start(tmp_path / "master", role="master")
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    try:
        yield master, shadow
    finally:
        shadow.close()
        master.close()


def test_a_shadow_connects_from_its_page_and_the_master_switches_roles(
    browser: Browser, nodes: tuple[HaNode, HaNode]
) -> None:
    master, shadow = nodes
    enable(master)
    configure(shadow, "127.0.0.1", master.server.port)
    page = open_page(browser, shadow.server.url)
    log_on(page, password=shadow.password)

    page.get_by_role("link", name="High availability").click()
    expect(page.locator("#ha-page-role")).to_have_text("shadow")
    page.get_by_role("button", name="Connect").click()
    page.get_by_label("Master administrator (first connection)").fill(ADMINISTRATOR)
    page.get_by_label("Password").fill(master.password)
    page.get_by_role("dialog").get_by_role("button", name="Connect").click()

    wait_for(lambda: shadow.shadow_state() == "READY", what="the shadow READY")
    page.reload()
    expect(page.locator("#master-fingerprint")).to_have_text(
        certificate_facts(master.certificate())["sha256"]
    )
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    screenshot(page, "ha-shadow")
    assert problems(page) == []

    on_master = open_page(browser, master.server.url)
    log_on(on_master, password=master.password)
    on_master.get_by_role("link", name="High availability").click()
    expect(on_master.get_by_text("CONNECTED")).to_be_visible()
    expect(on_master.get_by_text("127.0.0.1", exact=True)).to_be_visible()
    screenshot(on_master, "ha-master")
    on_master.get_by_role("button", name="Switch roles").click()
    on_master.get_by_role("alertdialog").get_by_role("button", name="Switch roles").click()

    wait_for(lambda: shadow.role() == "master" and master.role() == "shadow",
             timeout=60, what="the roles switched")  # fmt: skip
    assert problems(on_master) == []


def test_the_master_settings_are_edited_on_the_page(
    browser: Browser, nodes: tuple[HaNode, HaNode]
) -> None:
    master, _shadow = nodes
    page = open_page(browser, master.server.url)
    log_on(page, password=master.password)
    page.get_by_role("link", name="High availability").click()
    expect(page.get_by_role("button", name="Switch roles")).to_be_disabled()

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Shadows may connect").check()
    page.get_by_label("Allowed shadow host (empty: any)").fill("shadow.example")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()

    expect(page.get_by_text("shadow.example")).to_be_visible()
    config = master.http.get(f"{HA}/master/config").json()
    assert (config["haEnabled"], config["allowedShadowHost"]) == (True, "shadow.example")

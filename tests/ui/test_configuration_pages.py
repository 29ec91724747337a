"""The configuration pages in a real Chromium against a real server: subaccounts, system
mappings with resources and access control, domain mappings, channels, the proxy, the trust
store, users and roles; read-only for a display user; every control named; no console errors;
a tablet's width."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from playwright.sync_api import Browser, Page, expect

from openscc.config import certs
from support.browser import open_page, problems, screenshot
from support.server_process import ServerProcess
from support.web_page import VIEWER, VIEWER_PASSWORD, api, log_on

pytestmark = pytest.mark.slow

CONFIG = "/api/v1/configuration"
REGION = "cf.eu10.hana.ondemand.com"
SA = f"{CONFIG}/subaccounts/{REGION}/plant-7"
# The buttons that change the configuration (a user's own password change is not one).
CHANGING = re.compile(
    r"^(Add|Edit|Delete|Remove|Allow|Block|Unblock|Set|Save|Backup|Restore|Switch|Force|Connect"
    r"|Disconnect|Create|Send|Install|Turn|Export|Import)"
)
PAGES = ["connector", "subaccounts", f"subaccount/{REGION}/plant-7",
         f"mapping/{REGION}/plant-7/erp.virtual:443", "certificates", "proxy", "ha", "settings",
         "users",
         "schedules", "safety-backups"]  # fmt: skip


@pytest.fixture
def server(server: ServerProcess) -> ServerProcess:
    """The ready master with, besides, a subaccount and a mapping with a resource."""
    with api(server) as admin:
        _ok(admin.post(f"{CONFIG}/subaccounts", json={"regionHost": REGION, "subaccount": "plant-7",
            "displayName": "Plant 7", "cloudUser": "u", "cloudPassword": "p"}))  # fmt: skip
        _ok(admin.post(f"{SA}/systemMappings", json={"virtualHost": "erp.virtual",
            "virtualPort": "443", "localHost": "erp.internal", "localPort": "44300",
            "protocol": "HTTPS", "backendType": "abapSys"}))  # fmt: skip
        _ok(admin.post(f"{SA}/systemMappings/erp.virtual:443/resources",
            json={"id": "/sap/opu", "enabled": True}))  # fmt: skip
    return server


def _ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 300, response.text
    return response


def _dialog(page: Page) -> object:
    return page.get_by_role("dialog")


def test_a_subaccount_is_added_edited_and_deleted(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Subaccounts").click()
    page.get_by_role("button", name="Add subaccount").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Subaccount ID").fill("plant-8")
    dialog.get_by_label("Display name").fill("Plant 8")
    dialog.get_by_label("Subaccount user", exact=True).fill("cloud-user")
    dialog.get_by_label("Subaccount user's password").fill("cloud-password")
    dialog.get_by_role("button", name="Add").click()
    expect(page.get_by_role("link", name="Plant 8")).to_be_visible()

    page.get_by_role("button", name="Edit Plant 8").click()
    page.get_by_role("dialog").get_by_label("Display name").fill("Plant Eight")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Plant Eight")).to_be_visible()
    with api(server) as client:
        assert client.get(f"{CONFIG}/subaccounts/{REGION}/plant-8").json()["displayName"] == (
            "Plant Eight"
        )

    page.get_by_role("button", name="Delete Plant Eight").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("link", name="Plant Eight")).to_have_count(0)
    with api(server) as client:
        assert client.get(f"{CONFIG}/subaccounts/{REGION}/plant-8").status_code == 404
    assert problems(page) == []


def test_an_api_error_is_shown_in_the_dialog(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.goto(f"/ui/#/subaccount/{REGION}/plant-7")
    page.get_by_role("button", name="Add system mapping").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Virtual host").fill("erp.virtual")
    dialog.get_by_label("Virtual port").fill("443")  # taken
    dialog.get_by_label("Internal host").fill("other.internal")
    dialog.get_by_label("Internal port").fill("1")
    dialog.get_by_role("button", name="Add").click()

    expect(dialog.get_by_role("alert")).to_contain_text("erp.virtual:443")


def test_a_mapping_gets_a_resource_and_access_control_and_a_domain_and_channel(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Subaccounts").click()
    page.get_by_role("link", name="Plant 7").click()
    expect(page.get_by_role("heading", name="Plant 7", exact=True)).to_be_visible()

    page.get_by_role("button", name="Add domain mapping").click()
    page.get_by_role("dialog").get_by_label("Virtual domain").fill("virtual.corp")
    page.get_by_role("dialog").get_by_label("Internal domain").fill("internal.corp")
    page.get_by_role("dialog").get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="internal.corp", exact=True)).to_be_visible()

    page.get_by_role("button", name="Add Kubernetes channel").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Cluster host").fill("cluster.example")
    dialog.get_by_label("Service ID").fill("svc-1")
    dialog.get_by_label("Local port").fill("3000")
    dialog.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="cluster.example", exact=True)).to_be_visible()
    screenshot(page, "subaccount")

    page.get_by_role("link", name="erp.virtual:443").click()
    expect(page.get_by_role("heading", name="System mapping erp.virtual:443")).to_be_visible()
    page.get_by_role("button", name="Add resource").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("URL path or function name").fill("/sap/bc/ping")
    dialog.get_by_label("Exact match only").check()
    dialog.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="/sap/bc/ping", exact=True)).to_be_visible()
    page.get_by_role("button", name="Edit /sap/opu").click()
    page.get_by_role("dialog").get_by_label("Enabled").uncheck()
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Allow a client").click()
    page.get_by_role("dialog").get_by_label("Client (three digits)").fill("100")
    page.get_by_role("dialog").get_by_role("button", name="Allow").click()
    expect(page.get_by_role("button", name="Remove client 100")).to_be_visible()
    page.get_by_role("button", name="Block a user").click()
    page.get_by_role("dialog").get_by_label("Client").fill("100")
    page.get_by_role("dialog").get_by_label("User").fill("DDIC")
    page.get_by_role("dialog").get_by_role("button", name="Block").click()
    expect(page.get_by_role("button", name="Unblock 100:DDIC")).to_be_visible()
    screenshot(page, "system-mapping")

    mapping = f"{SA}/systemMappings/erp.virtual:443"
    with api(server) as client:
        resources = {r["id"]: r for r in client.get(f"{mapping}/resources").json()}
        assert resources["/sap/bc/ping"]["exactMatchOnly"] is True
        assert resources["/sap/opu"]["enabled"] is False
        assert client.get(f"{mapping}/allowedClients").json() == ["100"]
        assert client.get(f"{mapping}/blockedClientUsers").json() == [
            {"client": "100", "user": "DDIC"}
        ]
        assert client.get(f"{SA}/domainMappings").json()[0]["internalDomain"] == "internal.corp"
        assert client.get(f"{SA}/channels").json()[0]["details"] == "cluster.example"
    page.get_by_role("button", name="Delete /sap/bc/ping").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("cell", name="/sap/bc/ping", exact=True)).to_have_count(0)
    assert problems(page) == []


def test_the_proxy_and_the_trust_store_are_changed(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "backend CA")])
    pem = tmp_path / "backend-ca.pem"
    pem.write_text(certs.self_signed(subject, is_ca=True).certificate_pem)
    page = open_page(browser, server.url)
    log_on(page)

    page.get_by_role("link", name="Proxy").click()
    page.get_by_role("button", name="Set proxy").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Proxy host").fill("proxy.corp")
    dialog.get_by_label("Proxy port").fill("8080")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("definition").filter(has_text="proxy.corp")).to_be_visible()

    page.get_by_role("link", name="Certificates").click()
    page.get_by_label("Certificate to trust (PEM or DER)").set_input_files(str(pem))
    page.get_by_role("button", name="Add to trust store").click()
    expect(page.get_by_role("cell", name="CN=backend CA", exact=True)).to_be_visible()
    with api(server) as client:
        assert client.get(f"{CONFIG}/connector/proxy").json()["host"] == "proxy.corp"
        [trusted] = client.get(f"{CONFIG}/connector/onPremise/truststore").json()["trustedBackends"]
    page.get_by_role("button", name=f"Delete {trusted['alias']}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("cell", name="CN=backend CA", exact=True)).to_have_count(0)
    assert problems(page) == []


def test_a_user_changes_their_own_password(browser: Browser, server: ServerProcess) -> None:
    page = open_page(browser, server.url)
    log_on(page, VIEWER, VIEWER_PASSWORD)
    page.get_by_role("link", name="Users and roles").click()
    expect(page.get_by_text("Display (sccdisplay)")).to_be_visible()
    page.get_by_label("Current password").fill(VIEWER_PASSWORD)
    page.get_by_label("New password", exact=True).fill("Viewer-new-pa55word")
    page.get_by_label("Repeat new password").fill("Viewer-new-pa55word")
    page.get_by_role("button", name="Change my password").click()

    expect(page.get_by_role("status")).to_have_text("Your password was changed.")
    page.get_by_role("link", name="Subaccounts").click()  # the new session works
    expect(page.get_by_role("link", name="Plant 7")).to_be_visible()
    assert problems(page) == []


def test_a_display_user_reads_every_page_and_is_offered_no_change(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page, VIEWER, VIEWER_PASSWORD)
    for name in PAGES[:-1]:
        page.goto(f"/ui/#/{name}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        changes = page.locator("main").get_by_role("button", name=CHANGING)
        expect(changes).to_have_count(0)
    page.goto(f"/ui/#/mapping/{REGION}/plant-7/erp.virtual:443")
    expect(page.get_by_role("cell", name="/sap/opu", exact=True)).to_be_visible()
    assert problems(page) == []


def test_every_page_names_its_controls_logs_no_errors_and_fits_a_tablet(
    browser: Browser, server: ServerProcess
) -> None:
    for width in (1280, 820):
        page = open_page(browser, server.url, width=width, height=1100)
        log_on(page)
        for name in PAGES:
            page.goto(f"/ui/#/{name}")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            page.wait_for_load_state("networkidle")
            unnamed = page.evaluate(_UNNAMED_CONTROLS)
            assert unnamed == [], f"{name}: controls without an accessible name: {unnamed}"
            overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{name} is wider than {width} px by {overflow} px"
        # From the top of the page, the keyboard reaches the navigation first. The page moves
        # the focus to its main area once it has rendered its data: that comes first. A click
        # on the banner (nothing focusable) moves the point the next Tab starts from to the top,
        # as a reader's click there would; a blur() would leave it inside the main area.
        expect(page.locator("#main")).to_be_focused()
        page.bring_to_front()  # the page has the window's focus, whatever ran before it
        assert _tab_from_the_top(page) == "connector"
        assert problems(page) == []
        page.context.close()


def _tab_from_the_top(page: Page, attempts: int = 3) -> str | None:
    """Which navigation link the first Tab from the top of the page reaches. A click on the
    banner (nothing focusable) is where a reader starts; under load the page may still move the
    focus to its main area after a late answer, so the reader's step is taken again (a few
    times, no waiting) until nothing moves it."""
    reached = None
    for _ in range(attempts):
        page.locator("header.top .brand").click()
        page.keyboard.press("Tab")
        reached = page.evaluate("() => document.activeElement?.dataset?.page ?? null")
        if reached is not None:
            return str(reached)
    return reached


# Inputs, selects and buttons whose accessible name would be empty.
_UNNAMED_CONTROLS = """() => [...document.querySelectorAll('input, select, button')]
  .filter((c) => c.offsetParent !== null)
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                 && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map((c) => c.outerHTML)"""


def test_an_administrator_adds_changes_and_deletes_a_user(
    browser: Browser, server: ServerProcess
) -> None:
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Users and roles").click()
    page.get_by_role("button", name="Add user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("User name").fill("operator")
    dialog.get_by_label("Role").select_option("sccsupport")
    dialog.get_by_label("Password", exact=True).fill("Operator-pa55word")
    dialog.get_by_label("Repeat password").fill("Operator-pa55word")
    dialog.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="Support (sccsupport)")).to_be_visible()

    page.get_by_role("button", name="Edit operator").click()
    page.get_by_role("dialog").get_by_label("Role").select_option("sccsubadmin")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Subaccount administrator (sccsubadmin)")).to_be_visible()
    with api(server) as client:
        roles = {u["user"]: u["role"] for u in client.get("/api/openscc/v1/users").json()}
        assert roles["operator"] == "sccsubadmin"

    page.get_by_role("button", name="Delete operator").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("cell", name="operator", exact=True)).to_have_count(0)
    assert problems(page) == []


def test_the_schedules_page_lists_a_schedule_and_runs_it(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    with api(server) as client:
        _ok(client.post("/api/openscc/v1/backup/schedules", json={"name": "nightly",
            "cron": "0 2 * * *", "password": "Scheduled-pa55word", "keep": {"last": 7},
            "target": {"type": "directory", "path": str(target)}}))  # fmt: skip
    page = open_page(browser, server.url)
    log_on(page)
    page.get_by_role("link", name="Backup schedules").click()

    row = page.get_by_role("row", name=re.compile("nightly"))
    expect(row).to_contain_text("0 2 * * *")
    expect(row).to_contain_text("last 7")
    row.get_by_role("button", name="Run nightly now").click()
    # The page says how the run ended once it is drawn anew (the "started" line it showed while
    # the run went on can be gone before anyone reads it).
    expect(page.locator("#announcement")).to_contain_text(
        re.compile(r"Run \w+ of nightly succeeded")
    )
    expect(page.get_by_role("row", name=re.compile("succeeded"))).to_be_visible(timeout=15_000)
    assert len(list(target.glob("openscc-nightly-*.zip"))) == 1
    assert "Scheduled-pa55word" not in page.content()
    assert problems(page) == []

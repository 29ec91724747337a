"""A real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for the web page's
end-to-end tests. Started with the flags a machine without outside network needs and a fresh
profile; every console error and failed request of a page is collected, so a test can assert
there were none.

    with chromium() as browser:
        page = open_page(browser, server.url)       # a new context: no cookies, no storage
        ...
        assert problems(page) == []
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
_PROBLEMS = "_openscc_problems"


@contextlib.contextmanager
def chromium(extra_flags: tuple[str, ...] = ()) -> Iterator[Browser]:
    """The browser; Playwright gives each launch a fresh, empty profile directory of its own."""
    if not CHROMIUM.exists():
        raise AssertionError(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (as root with apt)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*FLAGS, *extra_flags], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser: Browser, base_url: str, *, width: int = 1280, height: int = 860,
    any_certificate: bool = True,
) -> Page:  # fmt: skip
    """A page in a new context (no cookies) that trusts the test server's self-signed
    certificate (any certificate, unless ``any_certificate`` is False: then only what the
    browser was launched to trust), collecting console errors and failed requests."""
    context = browser.new_context(
        base_url=base_url,
        ignore_https_errors=any_certificate,
        viewport={"width": width, "height": height},
        accept_downloads=True,
    )
    context.set_default_timeout(30_000)  # as expect's (tests/ui/conftest.py): failures only
    page = context.new_page()
    found: list[str] = []
    setattr(page, _PROBLEMS, found)
    page.on(
        "console",
        lambda m: found.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return page


def problems(page: Page) -> list[str]:
    """Console errors and uncaught exceptions the page had so far."""
    return list(getattr(page, _PROBLEMS))


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot for docs/ui.md when OPENSCC_UI_SCREENSHOTS names a folder."""
    folder = os.environ.get("OPENSCC_UI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

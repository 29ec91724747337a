"""What the web page's tests share: one Chromium per module, a ready instance served by a real
``openscc serve`` (password changed, master, a display user), the Administrator's API client
for setting things up and checking them, and logging on through the page.

    browser     the module's Chromium (support.browser)
    server      the ServerProcess of a ready instance with the display user VIEWER

The helpers (api, log_on) are in support.web_page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from openscc.instance import open_instance
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD
from support.browser import chromium
from support.server_process import ServerProcess
from support.web_page import VIEWER, VIEWER_PASSWORD

# A page waits for what it expects to happen (an answer, a render) for as long as a loaded
# two-core machine may need; the timeout only bounds a failure. Playwright's default is 5 s.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as started:
        yield started


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A ready instance (password changed, master) with a display user."""
    data_dir = tmp_path / "data"
    instance = open_instance(
        Settings(data_dir=data_dir, kdf_profile="test", admin_password=ADMIN_PASSWORD)
    )
    try:
        instance.users.add(VIEWER, "sccdisplay", VIEWER_PASSWORD)
    finally:
        instance.close()
    with ServerProcess(data_dir).start() as started:
        yield started

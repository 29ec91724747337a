"""Helpers of the web page's tests: the Administrator's API client for setting up and checking,
and logging on through the page."""

from __future__ import annotations

import ssl

import httpx
from playwright.sync_api import Page, expect

from openscc.auth.users import ADMINISTRATOR
from support.apps import ADMIN_PASSWORD
from support.server_process import ServerProcess

VIEWER, VIEWER_PASSWORD = "viewer", "Viewer-pa55word"


def api(server: ServerProcess, password: str = ADMIN_PASSWORD) -> httpx.Client:
    return httpx.Client(
        base_url=server.url,
        verify=ssl.create_default_context(cafile=str(server.certificate_path)),
        auth=(ADMINISTRATOR, password),
    )


def log_on(page: Page, user: str = ADMINISTRATOR, password: str = ADMIN_PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log on").click()
    expect(page.get_by_role("heading", name="Connector")).to_be_visible()

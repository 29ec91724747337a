"""In-process servers for the client and CLI tests: the real app behind httpx.ASGITransport.

    server = make_server()                 # an instance whose Administrator has password "pw"
    server.transport                       # hand it to OpensccClient(transport=...) or the CLI
    invoke(server, "backup", "create", ...)   # runs the CLI with that transport, fast polling

``server.mode`` says what the restart a restore asks for does: "restart" (apply the restore and
reopen, as ``openscc serve`` does), "never" (keep running the old process) or "down" (go away).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from openscc.app import create_app
from openscc.cli import cli
from openscc.cli.remote import ClientHooks
from openscc.client.api import OpensccClient
from openscc.connector_state import connector_body, update_connector
from openscc.instance import Instance
from openscc.restore_apply import apply_pending_restore
from openscc.settings import Settings

ADMIN = "Administrator"
ADMIN_PASSWORD = "Harness-Pa55word"
BACKUP_PASSWORD = "backup-pw"
# The CLI's own variables, so a developer's shell cannot leak into a test.
CLEAN_ENV: dict[str, str | None] = {
    "OPENSCC_URL": None,
    "OPENSCC_USER": None,
    "OPENSCC_PASSWORD": ADMIN_PASSWORD,
    "OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD,
}


class InProcessServer:
    """One openscc instance served in-process; a restart does what ``openscc serve`` does."""

    def __init__(self, data_dir: Path, url: str, *, mode: str = "restart") -> None:
        self.settings = Settings(
            data_dir=data_dir, kdf_profile="test", admin_password=ADMIN_PASSWORD
        )
        self.url = url
        self.mode = mode
        self.down = False
        self.restarts = 0
        self.app: Starlette = self._build()
        self.transport = RecordingTransport(self)

    def _build(self) -> Starlette:
        return create_app(self.settings, request_restart=self._request_restart)

    def _request_restart(self) -> None:
        if self.mode == "never":
            return
        self.app.state.services.instance.close()
        apply_pending_restore(self.settings)
        self.restarts += 1
        if self.mode == "down":
            self.down = True
            return
        self.app = self._build()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    @property
    def instance(self) -> Instance:
        instance: Instance = self.app.state.services.instance
        return instance

    def description(self) -> str:
        return str(connector_body(self.instance.store).get("description", ""))

    def set_description(self, text: str) -> None:
        with self.instance.store.transaction():
            update_connector(self.instance.store, description=text)

    def add_user(self, name: str, role: str, password: str = "harness-user-pw") -> None:
        with self.instance.store.transaction():
            self.instance.users.add(name, role, password)

    def client(
        self, *, user: str = ADMIN, password: str = ADMIN_PASSWORD, **options: Any
    ) -> OpensccClient:
        options.setdefault("poll_interval", 0.01)
        return OpensccClient(self.url, user, password, transport=self.transport, **options)


class RecordingTransport(httpx.AsyncBaseTransport):
    """ASGITransport to a server, recording each request; refuses connections while it is down."""

    def __init__(self, server: InProcessServer) -> None:
        self.server = server
        self.requests: list[httpx.Request] = []
        self._asgi = httpx.ASGITransport(app=server, raise_app_exceptions=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.server.down:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return await self._asgi.handle_async_request(request)


def invoke(
    servers: InProcessServer | list[InProcessServer],
    *args: str,
    env: Mapping[str, str | None] | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> Result:
    """Run ``openscc ARGS`` with the servers (and any other transports by URL) reachable
    in-process; the result, never raising."""
    listed = servers if isinstance(servers, list) else [servers]
    by_url = {s.url: s.transport for s in listed} | dict(transports or {})
    hooks = ClientHooks(transports=by_url, poll_interval=0.01)
    return CliRunner().invoke(cli, list(args), obj=hooks, env={**CLEAN_ENV, **(env or {})})


def remote(server: InProcessServer, *args: str) -> list[str]:
    """The connection arguments for ``server``."""
    return [*args, "--url", server.url, "--user", ADMIN]

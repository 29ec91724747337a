"""The in-process server of the tests: the real app, restarted exactly as ``openscc serve`` does.

    server = InProcessServer(tmp_path / "data")     # Administrator with ADMIN_PASSWORD, master
    InProcessServer(tmp_path / "data", password=None)  # a fresh instance: password "manage"
    server.http.get(...)                            # a sync TestClient (server.auth for basic auth)
    server.client()                                 # an OpensccClient (async) on server.transport
    server.restart()                                # apply a committed restore and reopen

A restore asks for a restart once its 204 is sent. ``mode`` says what that request does:
"manual" (it is counted; ``restart()`` does it when the test says so), "restart" (at once, as
``openscc serve`` does), "never" (the old process keeps running) or "down" (the server goes away:
its transport refuses connections). Every restart goes through ``openscc.server.open_app``, the
function the real server's restart loop calls.

The real process is ``support.server_process.ServerProcess``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from openscc.client.api import OpensccClient
from openscc.config.connector_state import connector_body, update_connector
from openscc.instance import Instance
from openscc.server import open_app
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, BASE_URL, INITIAL_PASSWORD, USER_PASSWORD

BACKUP_PATH = "/api/v1/configuration/backup"
BACKUP_PASSWORD = "Backup-pa55word"
MODES = ("manual", "restart", "never", "down")


class InProcessServer:
    def __init__(
        self,
        data_dir: Path,
        *,
        url: str = BASE_URL,
        password: str | None = ADMIN_PASSWORD,
        mode: str = "manual",
        clock: Callable[[], float] | None = None,
        **settings: Any,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.settings = Settings(
            data_dir=data_dir, kdf_profile="test", admin_password=password, **settings
        )
        self.url = url
        # None: a fresh instance, whose Administrator still has the initial password.
        self.password = password or INITIAL_PASSWORD
        self.mode = mode
        self.down = False
        self.restart_requests = 0
        self.restarts = 0
        self._clock = clock
        self.app = self._open()
        self.transport = RecordingTransport(self)
        self.http = TestClient(self, base_url=url)  # type: ignore[arg-type]

    # The app, and restarting it as the server does

    def _open(self) -> Starlette:
        options = {} if self._clock is None else {"clock": self._clock}
        return open_app(self.settings, request_restart=self._restart_requested, **options)

    def _restart_requested(self) -> None:
        self.restart_requests += 1
        if self.mode == "restart":
            self.restart()
        elif self.mode == "down":
            self.app.state.runtime.close()
            self.down = True

    def restart(self) -> bool:
        """Close the app, apply any committed restore and reopen; True if one was applied."""
        self.app.state.runtime.close()
        pending = (self.settings.data_dir / "restore-pending").exists()
        self.app = self._open()
        self.restarts += 1
        return pending

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return  # the app is closed by restart() and close(), not by a client's lifespan
        await self.app(scope, receive, send)

    def close(self) -> None:
        if not self.down:
            self.app.state.runtime.close()
            self.down = True

    def __enter__(self) -> InProcessServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # What tests look at

    @property
    def instance(self) -> Instance:
        instance: Instance = self.app.state.services.instance
        return instance

    @property
    def auth(self) -> tuple[str, str]:
        return (ADMINISTRATOR, self.password)

    def client(
        self, *, user: str = ADMINISTRATOR, password: str | None = None, **options: Any
    ) -> OpensccClient:
        """An OpensccClient for this server (the CLI's client), polling fast."""
        options.setdefault("poll_interval", 0.01)
        return OpensccClient(
            self.url, user, password or self.password, transport=self.transport, **options
        )

    def description(self) -> str:
        return str(connector_body(self.instance.store).get("description", ""))

    def set_description(self, text: str) -> None:
        with self.instance.store.transaction():
            update_connector(self.instance.store, description=text)

    def add_user(self, name: str, role: str, password: str = USER_PASSWORD) -> None:
        with self.instance.store.transaction():
            self.instance.users.add(name, role, password)

    def backup(self, password: str = BACKUP_PASSWORD) -> bytes:
        response = self.http.post(BACKUP_PATH, auth=self.auth, json={"password": password})
        assert response.status_code == 200, response.text
        return response.content

    def restore(
        self, archive: bytes, password: str = BACKUP_PASSWORD, *, dry_run: bool = False
    ) -> httpx.Response:
        return self.http.put(
            BACKUP_PATH + ("?dryRun=true" if dry_run else ""),
            auth=self.auth,
            files={"backup": ("backup.zip", archive)},
            data={"password": password},
        )

    def state(self) -> list[tuple[str, str, str | None, dict[str, Any], dict[str, Any] | None]]:
        """Every entity with its secrets, in order: what "exactly the same configuration" means."""
        with self.instance.snapshot() as snapshot:
            return [
                (r.kind, r.key, r.parent, r.body, r.secret)
                for r in snapshot.iter_all(with_secret=True)
            ]


class RecordingTransport(httpx.AsyncBaseTransport):
    """ASGITransport to a server, recording each request; refuses connections while it is down."""

    def __init__(self, server: InProcessServer) -> None:
        self.server = server
        self.requests: list[httpx.Request] = []
        self._asgi = httpx.ASGITransport(app=server, raise_app_exceptions=False)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.server.down:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return await self._asgi.handle_async_request(request)

"""An in-process connector whose restarts behave like the real server's: apply, then reopen."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from openscc.app import create_app
from openscc.restore_apply import apply_pending_restore
from openscc.settings import Settings

ADMIN = "Administrator"


class InProcessConnector:
    """A TestClient on a fresh instance; ``restart()`` does what ``openscc serve`` does on restart."""

    def __init__(self, data_dir: Path, *, password: str = "admin-pw", **settings: object) -> None:
        self.settings = Settings(
            data_dir=data_dir,
            kdf_profile="test",
            admin_password=password,
            **settings,  # type: ignore[arg-type]
        )
        self.password = password
        self.restart_requests = 0
        self.client = self._open()

    def _request_restart(self) -> None:
        self.restart_requests += 1

    def _open(self) -> TestClient:
        app = create_app(self.settings, request_restart=self._request_restart)
        client = TestClient(app, base_url="https://testserver")
        client.__enter__()
        return client

    @property
    def auth(self) -> tuple[str, str]:
        return (ADMIN, self.password)

    @property
    def instance(self):  # type: ignore[no-untyped-def]
        return self.client.app.state.services.instance  # type: ignore[attr-defined]

    def restart(self) -> bool:
        """Stop the app, apply any committed restore, start again; True if one was applied."""
        self.client.__exit__(None, None, None)
        applied = apply_pending_restore(self.settings)
        self.client = self._open()
        return applied

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def backup(self, password: str = "backup-pw") -> bytes:
        response = self.client.post(
            "/api/v1/configuration/backup", auth=self.auth, json={"password": password}
        )
        assert response.status_code == 200, response.text
        return response.content

    def restore(self, archive: bytes, password: str = "backup-pw", *, dry_run: bool = False):  # type: ignore[no-untyped-def]
        url = "/api/v1/configuration/backup" + ("?dryRun=true" if dry_run else "")
        return self.client.put(
            url,
            auth=self.auth,
            files={"backup": ("backup.zip", archive)},
            data={"password": password},
        )

    def state(self) -> list[tuple[str, str, str | None, dict, dict | None]]:  # type: ignore[type-arg]
        """Every entity with its secrets, in order: what "exactly the same configuration" means."""
        with self.instance.snapshot() as snapshot:
            return [
                (r.kind, r.key, r.parent, r.body, r.secret)
                for r in snapshot.iter_all(with_secret=True)
            ]

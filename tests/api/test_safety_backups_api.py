"""openscc's own safety-backup download serves only a safety backup's own name, from the safety
folder: never another file of the data directory."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.layout import SAFETY_BACKUPS

SAFETY = "/api/openscc/v1/backup/safety"


def test_only_a_safety_backup_is_served(admin: TestClient, admin_app: Starlette) -> None:
    data_dir = admin_app.state.services.instance.data_dir
    folder = data_dir / SAFETY_BACKUPS.name
    folder.mkdir(exist_ok=True)
    (folder / "safety-20261201T000000Z-000000001.zip").write_bytes(b"an archive")
    (folder / "notes.zip").write_bytes(b"not a safety backup")

    assert admin.get(f"{SAFETY}/safety-20261201T000000Z-000000001.zip").content == b"an archive"
    for name in ("notes.zip", "safety-missing.zip", "..%2Fmaster.key", "%2E%2E%2Fconfig.db",
                 "safety-..%2F..%2Fmaster.key.zip"):  # fmt: skip
        answer = admin.get(f"{SAFETY}/{name}")
        assert answer.status_code == 404, name
        assert answer.json()["type"] == "NOT_FOUND"

"""kill -9 at every step of a restore: the next start has the complete old or the complete new state.

The server is started with a test-only fault point that makes it kill itself (SIGKILL) at one step;
then it is started again without it and its whole configuration is compared, entity by entity and
secret by secret, with the state before the restore and with the backup's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from openscc.backup.archive import read_archive
from openscc.instance import open_instance
from openscc.layout import RESTORE_PENDING, RESTORE_STAGING
from openscc.settings import Settings
from support.archives import checked_records
from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # starts real server processes

BACKUP = "/api/v1/configuration/backup"
CONNECTOR = "/api/v1/configuration/connector"

# (fault point, which state the next start must have)
STEPS = [
    ("restore.validated", "old"),
    ("restore.staged", "old"),
    ("restore.safety_backup_written", "old"),
    ("restore.committed", "new"),
    ("apply.start", "new"),
    ("apply.installation_carried", "new"),
    ("apply.side_files_removed", "new"),
    ("apply.database_replaced", "new"),
]

State = list[tuple[object, ...]]


def _offline_state(data_dir: Path) -> State:
    instance = open_instance(Settings(data_dir=data_dir, kdf_profile="test"))
    try:
        with instance.snapshot() as snapshot:
            return [(r.kind, r.key, r.parent, r.body, r.secret) for r in snapshot.iter_all()]
    finally:
        instance.close()


def _archive_state(archive: Path, password: str) -> State:
    with archive.open("rb") as src:
        records = checked_records(read_archive(src, password=password, product_version="999"))
        return [(r.kind, r.key, r.parent, r.body, r.secret) for r in records]


@pytest.mark.parametrize(("point", "expected"), STEPS)
def test_a_crash_at_any_restore_step_leaves_old_or_new_never_a_mix(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, point: str, expected: str
) -> None:
    """Killed at ``point``, the instance restarts with exactly the ``expected`` configuration."""
    server = server_factory().start()
    auth = server.admin_auth
    with httpx.Client(base_url=server.url, verify=False, timeout=15) as http:
        http.put(CONNECTOR, auth=auth, json={"description": "in the backup"})
        archive = tmp_path / "backup.zip"
        archive.write_bytes(http.post(BACKUP, auth=auth, json={"password": "bk"}).content)
        http.put(CONNECTOR, auth=auth, json={"description": "after the backup"})
    server.stop()
    old_state = _offline_state(server.data_dir)
    new_state = _archive_state(archive, "bk")
    assert old_state != new_state

    server.extra_env["OPENSCC_TEST_FAULT_POINTS"] = point
    server.start()
    with httpx.Client(base_url=server.url, verify=False, timeout=15) as http:
        try:
            http.put(
                BACKUP,
                auth=auth,
                files={"backup": ("b.zip", archive.read_bytes())},
                data={"password": "bk"},
            )
        except httpx.TransportError:
            pass  # the process died while answering
    assert server.wait_exit(timeout=20) == -9

    del server.extra_env["OPENSCC_TEST_FAULT_POINTS"]
    server.start()
    server.stop()

    after = _offline_state(server.data_dir)
    assert after == (old_state if expected == "old" else new_state)
    assert not (server.data_dir / RESTORE_PENDING.name).exists()
    assert not (server.data_dir / RESTORE_STAGING.name).exists()

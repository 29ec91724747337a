"""kill -9 during a partial restore left a draft of the safety backup (a whole configuration
archive) per kill; the next start removes what an earlier run left unfinished."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from support.in_process import BACKUP_PASSWORD
from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # a real server, killed

PARTIAL = "/api/openscc/v1/backup/partial"
SUBACCOUNTS = "/api/v1/configuration/subaccounts"
REGION, SUBACCOUNT = "cf.eu10.hana.ondemand.com", "1eff1eff-0000-4000-8000-000000000001"


def test_a_kill_during_a_partial_restore_leaves_no_draft_after_the_next_start(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory(env={"OPENSCC_TEST_FAULT_POINTS": "partial.safety_backup_written"})
    server.start()
    with server.client(auth=server.admin_auth, timeout=30) as http:
        created = http.post(SUBACCOUNTS, json={"regionHost": REGION, "subaccount": SUBACCOUNT,
            "cloudUser": "admin@example.com", "cloudPassword": "Cl0ud-Pa55word!"})  # fmt: skip
        assert created.status_code == 201, created.text
        archive = http.post("/api/v1/configuration/backup", json={"password": BACKUP_PASSWORD})
        (server.data_dir / "tmp" / "backup-left-by-a-kill.zip").write_bytes(b"x")
        with pytest.raises(httpx.TransportError):
            http.put(PARTIAL, files={"backup": ("b.zip", archive.content)},
                     data={"password": BACKUP_PASSWORD, "subaccounts": f"{REGION}/{SUBACCOUNT}"})  # fmt: skip
    assert server.wait_exit(timeout=20) == -9
    drafts = list((server.data_dir / "safety-backups").glob(".safety-*.tmp"))
    assert len(drafts) == 1  # what the kill left

    del server.extra_env["OPENSCC_TEST_FAULT_POINTS"]
    server.start()

    assert list((server.data_dir / "safety-backups").glob(".safety-*.tmp")) == []
    assert list((server.data_dir / "tmp").iterdir()) == []
    assert "removed 2 file(s) an earlier run left unfinished" in server.log_text()

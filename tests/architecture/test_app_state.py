"""State belongs to the app, not to a module: two apps in one process share no restore lock and
no KDF slots (the in-process tests run many instances side by side, as a supervisor could)."""

from __future__ import annotations

from pathlib import Path

from support.in_process import InProcessServer


def test_a_restore_in_one_app_does_not_hold_up_another(tmp_path: Path) -> None:
    with InProcessServer(tmp_path / "a") as first, InProcessServer(tmp_path / "b") as second:
        archive = second.backup()
        first.app.state.services.restore_lock.acquire()  # a restore running on the first
        try:
            for _ in range(second.settings.backup_kdf_slots):
                first.app.state.services.kdf_slots.acquire()  # and its KDF slots all taken
            answer = second.restore(archive)
        finally:
            first.app.state.services.restore_lock.release()

        assert answer.status_code == 204, answer.text

"""The data directory's locks: a restore is applied only when no other process has the database
open, and a process opening it waits while one is applied; one server per directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from openscc.backup.restore_apply import apply_pending_restore
from openscc.instance import open_instance
from openscc.layout import RESTORE_PENDING, DataDir
from openscc.settings import Settings
from openscc.store.locks import (
    DataDirectoryBusy,
    ServerAlreadyRunning,
    ServerLock,
    StoreLock,
    running_server_pid,
)


def _commit_an_empty_restore(data_dir: Path) -> None:
    DataDir(data_dir).restore_staging.mkdir()
    (data_dir / RESTORE_PENDING.name).write_text("{}")


def test_a_restore_is_not_applied_while_another_process_has_the_database_open(
    settings: Settings,
) -> None:
    open_instance(settings).close()
    data_dir = settings.data_dir.resolve()
    _commit_an_empty_restore(data_dir)
    command = StoreLock(data_dir, exclusive=False, timeout=0)  # as `openscc users` holds it
    quick = settings.replace(store_lock_timeout_seconds=0.1)

    with pytest.raises(DataDirectoryBusy, match="still has its database open"):
        apply_pending_restore(quick)
    assert (data_dir / RESTORE_PENDING.name).exists()

    command.release()
    assert apply_pending_restore(quick)
    assert not (data_dir / RESTORE_PENDING.name).exists()


def test_opening_the_instance_waits_while_a_restore_is_applied(settings: Settings) -> None:
    open_instance(settings).close()
    applying = StoreLock(settings.data_dir.resolve(), exclusive=True, timeout=0)

    with pytest.raises(DataDirectoryBusy, match="a restore is being applied"):
        open_instance(settings.replace(store_lock_timeout_seconds=0.1))

    applying.release()
    open_instance(settings).close()


def test_instances_open_together_share_the_lock_and_release_it_on_close(
    settings: Settings,
) -> None:
    first, second = open_instance(settings), open_instance(settings)
    second.close()
    with pytest.raises(DataDirectoryBusy):
        StoreLock(settings.data_dir.resolve(), exclusive=True, timeout=0)
    first.close()
    StoreLock(settings.data_dir.resolve(), exclusive=True, timeout=0).release()


def test_one_server_lock_per_directory_and_its_pid(tmp_path: Path) -> None:
    assert running_server_pid(tmp_path) is None
    held = ServerLock(tmp_path)
    assert running_server_pid(tmp_path) is not None

    with pytest.raises(ServerAlreadyRunning, match="another openscc serve"):
        ServerLock(tmp_path)

    held.release()
    assert running_server_pid(tmp_path) is None
    ServerLock(tmp_path).release()

"""Committing a staged restore at start-up: crash-atomic by construction.

A restore is staged as a complete new database (and, if any, a ``props.ini.restored``) in
``restore-staging/``. Writing the ``restore-pending`` marker (an atomic rename) is the commit
point: without the marker the staging folder is discarded at start-up and the old configuration
stays; with it, start-up carries the installation's own state into the staged database and moves
the staged files into place before the database is opened. Every step is idempotent, so a crash
at any point leaves either the old or the restored configuration.

The marker is written while holding the database's write lock, and ``openscc users`` checks for
it inside its own write transaction: a change by the command is either made before the restore
is committed (and replaced by it, as the restore was acknowledged later) or refused. The files
are swapped holding the store lock exclusively, so no other process has the database open then.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from openscc.faults import crash_point
from openscc.fileio import fsync_path, write_atomically
from openscc.layout import DATABASE, RESTORED_PROPS, DataDir
from openscc.settings import Settings
from openscc.store.installation import carry_installation_state
from openscc.store.locks import StoreLock


def discard_staging(data_dir: Path) -> None:
    shutil.rmtree(DataDir(data_dir).restore_staging, ignore_errors=True)


def commit_staged_restore(data_dir: Path, *, description: dict[str, object]) -> None:
    """Make the staged restore the one the next start applies (the commit point). The caller
    holds the database's write lock (see the module's description)."""
    layout = DataDir(data_dir)
    fsync_path(layout.restore_staging)
    write_atomically(layout.restore_pending, json.dumps(description).encode())


def restore_pending(data_dir: Path) -> bool:
    """Whether a committed restore waits for the next start (which replaces the database)."""
    return DataDir(data_dir).restore_pending.exists()


def apply_pending_restore(settings: Settings) -> bool:
    """Finish a committed restore, or discard an uncommitted one; True if one was applied."""
    data_dir = settings.data_dir.resolve()
    if not data_dir.exists():
        return False
    staging = DataDir(data_dir).restore_staging
    if not restore_pending(data_dir) and not staging.exists():
        return False
    with StoreLock(data_dir, exclusive=True, timeout=settings.store_lock_timeout_seconds):
        return _apply(settings, data_dir, staging)


def _apply(settings: Settings, data_dir: Path, staging: Path) -> bool:
    layout = DataDir(data_dir)
    marker = layout.restore_pending
    if not marker.exists():
        discard_staging(data_dir)
        return False
    crash_point(settings, "apply.start")
    staged_db = staging / DATABASE.name
    if staged_db.exists():
        carry_installation_state(layout.database, staged_db)
        crash_point(settings, "apply.installation_carried")
        # The old database's journal or WAL must not be replayed into the new database.
        for side_file in layout.database_side_files:
            side_file.unlink(missing_ok=True)
        crash_point(settings, "apply.side_files_removed")
        os.replace(staged_db, layout.database)
        fsync_path(data_dir)
        crash_point(settings, "apply.database_replaced")
    staged_props = staging / RESTORED_PROPS.name
    if staged_props.exists():
        os.replace(staged_props, layout.restored_props)
    discard_staging(data_dir)
    marker.unlink()
    fsync_path(data_dir)
    return True

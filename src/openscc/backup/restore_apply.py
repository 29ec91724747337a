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
from openscc.props import RESTORED_PROPS_FILE
from openscc.settings import Settings
from openscc.store.db import DB_FILE, DB_SIDE_FILES
from openscc.store.installation import carry_installation_state
from openscc.store.locks import StoreLock

STAGING_DIR = "restore-staging"
PENDING_MARKER = "restore-pending"


def staging_dir(data_dir: Path) -> Path:
    return data_dir / STAGING_DIR


def discard_staging(data_dir: Path) -> None:
    shutil.rmtree(staging_dir(data_dir), ignore_errors=True)


def commit_staged_restore(data_dir: Path, *, description: dict[str, object]) -> None:
    """Make the staged restore the one the next start applies (the commit point). The caller
    holds the database's write lock (see the module's description)."""
    fsync_path(staging_dir(data_dir))
    write_atomically(data_dir / PENDING_MARKER, json.dumps(description).encode())


def restore_pending(data_dir: Path) -> bool:
    """Whether a committed restore waits for the next start (which replaces the database)."""
    return (data_dir / PENDING_MARKER).exists()


def apply_pending_restore(settings: Settings) -> bool:
    """Finish a committed restore, or discard an uncommitted one; True if one was applied."""
    data_dir = settings.data_dir.resolve()
    if not data_dir.exists():
        return False
    staging = staging_dir(data_dir)
    if not restore_pending(data_dir) and not staging.exists():
        return False
    with StoreLock(data_dir, exclusive=True, timeout=settings.store_lock_timeout_seconds):
        return _apply(settings, data_dir, staging)


def _apply(settings: Settings, data_dir: Path, staging: Path) -> bool:
    marker = data_dir / PENDING_MARKER
    if not marker.exists():
        discard_staging(data_dir)
        return False
    crash_point(settings, "apply.start")
    staged_db = staging / DB_FILE
    if staged_db.exists():
        carry_installation_state(data_dir / DB_FILE, staged_db)
        crash_point(settings, "apply.installation_carried")
        # The old database's journal or WAL must not be replayed into the new database.
        for name in DB_SIDE_FILES:
            (data_dir / name).unlink(missing_ok=True)
        crash_point(settings, "apply.side_files_removed")
        os.replace(staged_db, data_dir / DB_FILE)
        fsync_path(data_dir)
        crash_point(settings, "apply.database_replaced")
    staged_props = staging / RESTORED_PROPS_FILE
    if staged_props.exists():
        os.replace(staged_props, data_dir / RESTORED_PROPS_FILE)
    discard_staging(data_dir)
    marker.unlink()
    fsync_path(data_dir)
    return True

"""Building the restored configuration beside the live one, without touching the live one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from openscc.backup.content import validated
from openscc.backup.restore_apply import discard_staging
from openscc.errors import CorruptArchive
from openscc.fileio import fsync_path
from openscc.instance import Instance
from openscc.layout import DATABASE, RESTORED_PROPS
from openscc.props import Props
from openscc.store import instance_values
from openscc.store.db import PAGE_SIZE, keep_private
from openscc.store.entities import EntityStore
from openscc.store.instance_values import INSTANCE_ID
from openscc.store.migrations import migrate
from openscc.store.records import EntityRecord


def build_staged_database(instance: Instance, records: Iterable[EntityRecord]) -> Path:
    """Write every record, validated and re-sealed under this instance's master key, into a
    new database in the staging folder; any invalid record leaves no staging folder behind.

    The installation's own state (its high-availability pair, the runs and alerts it recorded)
    is not in the archive: it is carried into the staged database when the restore is applied
    (openscc.store.installation), so that what was recorded meanwhile is kept too.
    """
    discard_staging(instance.data_dir)
    folder = instance.layout.restore_staging
    folder.mkdir(mode=0o700)
    path = folder / DATABASE.name
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            keep_private(path)
            # No journal and no syncs while building: until the commit point the staged file is
            # discarded on any failure. No WAL either: the file must be complete in itself when
            # it is moved into place.
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -8192")  # KiB: bounded, spilling needs no journal
            migrate(conn)
            conn.execute("BEGIN")
            try:
                EntityStore(conn, instance.sealer).insert_many(validated(records))
            except sqlite3.IntegrityError:
                raise CorruptArchive("it holds the same entity twice") from None
            conn.execute("COMMIT")
            # The last write syncs the whole file to disk before the commit point, through
            # SQLite: a descriptor opened and closed on a database file beside SQLite's own is
            # what this process must never have (openscc.store.db.keep_private).
            conn.execute("PRAGMA synchronous = FULL")
            instance_values.write(conn, INSTANCE_ID, instance.instance_id)
        finally:
            conn.close()
    except BaseException:
        discard_staging(instance.data_dir)
        raise
    return path


def stage_props(instance: Instance, archived: bytes | None) -> bool:
    """Stage the archive's props.ini as props.ini.restored if it differs from the installed one.

    The installed file is never replaced (the Cloud Connector's rule); custom paths that do not
    exist on this host are reset to their defaults in the staged copy. True if one was staged.
    """
    if archived is None:
        return False
    installed = instance.layout.props.read_bytes()
    if archived == installed:
        return False
    try:
        text = Props.from_text(archived.decode()).with_missing_paths_reset().to_text()
    except (ValueError, UnicodeDecodeError) as error:
        raise CorruptArchive(f"props.ini is invalid ({error})") from None
    target = instance.layout.restore_staging / RESTORED_PROPS.name
    target.write_text(text)
    fsync_path(target)
    return True

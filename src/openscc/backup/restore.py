"""Restoring a backup: validate everything, stage, take a safety backup, then commit.

Nothing the running server uses changes before the commit point (the pending-restore marker), and
a failure before it leaves nothing behind; the restart applies the commit (see restore_apply).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from openscc import __version__, kinds
from openscc.backup import preflight
from openscc.backup.archive import ArchiveReader, read_archive
from openscc.backup.content import validated
from openscc.backup.create import ARCHIVED_PROPS
from openscc.backup.diff import diff_configurations
from openscc.backup.restore_apply import commit_staged_restore, discard_staging
from openscc.backup.restore_impact import impact
from openscc.backup.safety import SafetyBackupDraft, write_safety_backup
from openscc.backup.staging import build_staged_database, stage_props
from openscc.errors import OpensccError
from openscc.faults import crash_point
from openscc.instance import Instance
from openscc.store.records import EntityRecord

logger = logging.getLogger("openscc.restore")


@dataclass(frozen=True, kw_only=True, slots=True)
class StagedRestore:
    source_instance: str
    created_at: int
    safety_backup: Path
    props_restored_aside: bool  # props.ini differed and will be written as props.ini.restored


def _reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def open_upload(src: BinaryIO, password: str) -> ArchiveReader:
    """The archive with its container, version, password and MAC checked; its records are
    checked (hashes, tags, content) as the caller reads them, and raise at the end if bad."""
    return read_archive(src, password=password, product_version=__version__)


def _props_status(instance: Instance, archive: ArchiveReader) -> str:
    archived = archive.files.get(ARCHIVED_PROPS)
    if archived is None or archived == instance.layout.props.read_bytes():
        return "unchanged"
    return "differs: it would be written as props.ini.restored, not applied"


def dry_run(
    instance: Instance,
    src: BinaryIO,
    password: str,
    here: preflight.Here,
    answers: Callable[[str, int], bool] = lambda host, port: False,
    caller: str | None = None,
    password_opens: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """The whole validation, then what the restore would change, what to watch for
    (``warnings``, openscc.backup.preflight) and what changes for ``caller`` (``forYou``,
    openscc.backup.restore_impact; ``password_opens`` checks their own password against a hash);
    nothing is written. ``answers`` asks whether an address answers (the server's probe; by
    default, none is asked)."""
    archive = open_upload(src, password)
    archived: list[EntityRecord] = []
    personal: list[EntityRecord] = []  # today's UI certificate and users

    def kept(records: Iterable[EntityRecord]) -> Iterator[EntityRecord]:
        for record in records:
            archived.append(record)
            yield record

    def noted(records: Iterable[EntityRecord]) -> Iterator[EntityRecord]:
        for record in records:
            if record.kind in (kinds.UI_CERTIFICATE, kinds.USER):
                personal.append(record)
            yield record

    with instance.snapshot() as current:
        changes = diff_configurations(
            noted(current.iter_all(with_secret=True)), kept(validated(archive.records()))
        )
    manifest = archive.manifest
    same = manifest.source_instance == instance.instance_id
    props_path = instance.layout.props
    found = preflight.warnings(
        archived,
        archive.files.get(ARCHIVED_PROPS),
        props_path.read_bytes() if props_path.exists() else None,
        manifest.created_at,
        same,
        here,
        answers,
    )
    return {
        "dryRun": True,
        "valid": True,
        "backup": {
            "productVersion": manifest.product_version,
            "sccApiVersion": manifest.scc_api_version,
            "formatVersion": manifest.format_version,
            "createdAt": manifest.created_at,
            "sourceInstance": manifest.source_instance,
            "sameInstance": same,
            "counts": manifest.counts,
        },
        "propsIni": _props_status(instance, archive),
        "changes": {kind: c.to_json() for kind, c in changes.items()},
        "warnings": found,
        "forYou": impact(personal, archived, caller, password_opens),
    }


def stage_restore(instance: Instance, src: BinaryIO, password: str) -> StagedRestore:
    """Validate, stage and commit a restore; the next start of the server applies it.

    The safety backup of the current configuration is written once the upload is staged, and it
    is named and kept only when the restore commits.
    """
    settings = instance.settings
    archive = open_upload(src, password)
    safety: SafetyBackupDraft | None = None
    try:
        try:
            # One pass: the records are checked while they are staged; any failure discards
            # the staging folder, so nothing unchecked is ever used.
            # The staging database's primary key refuses a repeated entity.
            build_staged_database(instance, archive.records(check_unique=False))
            crash_point(settings, "restore.validated")
            props_aside = stage_props(instance, archive.files.get(ARCHIVED_PROPS))
        except (OSError, sqlite3.OperationalError) as error:
            raise OpensccError(
                f"could not stage the restore ({_reason(error)}); nothing was changed"
            ) from None
        crash_point(settings, "restore.staged")
        try:
            safety = write_safety_backup(instance, password)
        except (OSError, sqlite3.OperationalError) as error:
            raise OpensccError(
                f"could not write the safety backup ({_reason(error)}); nothing was changed"
            ) from None
        crash_point(settings, "restore.safety_backup_written")
        manifest = archive.manifest
        try:
            kept = safety.keep(newest=settings.safety_backups_kept)
            # Under the write lock: no change by another process commits between its own check
            # for a pending restore and its commit (openscc.backup.restore_apply).
            with instance.write_lock():
                commit_staged_restore(
                    instance.data_dir,
                    description={
                        "sourceInstance": manifest.source_instance,
                        "createdAt": manifest.created_at,
                    },
                )
        except (OSError, sqlite3.OperationalError) as error:
            raise OpensccError(
                f"could not commit the restore ({_reason(error)}); nothing was changed"
            ) from None
    except BaseException:
        if safety is not None:
            safety.discard()
        discard_staging(instance.data_dir)
        instance.layout.restore_pending.unlink(missing_ok=True)
        raise
    crash_point(settings, "restore.committed")
    return StagedRestore(
        source_instance=manifest.source_instance,
        created_at=manifest.created_at,
        safety_backup=kept,
        props_restored_aside=props_aside,
    )

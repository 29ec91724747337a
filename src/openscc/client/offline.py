"""Checking a backup file without a server: its manifest (no password) or everything (password)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openscc import __version__, kinds
from openscc.backup.archive import inspect_archive, read_archive
from openscc.backup.content import validated
from openscc.backup.diff import diff_configurations
from openscc.backup.manifest import Manifest
from openscc.errors import BackupError, WrongPassword


@dataclass(frozen=True, slots=True)
class VerifiedBackup:
    """What ``verify_backup`` checked: the authenticated manifest and what it read and decrypted."""

    manifest: Manifest
    entities: int
    secrets: int
    files: int
    members: int


def inspect_backup(path: str | os.PathLike[str]) -> Manifest:
    """The archive's manifest, read without the password: NOT authenticated, for display only."""
    with Path(path).open("rb") as src:
        return inspect_archive(src)


def verify_backup(
    path: str | os.PathLike[str], password: str, *, product_version: str = __version__
) -> VerifiedBackup:
    """Every check a restore makes before it changes anything, or a BackupError subclass.

    The manifest's MAC, every member's size and SHA-256, every tag of the encrypted member (so
    every secret is decrypted), and every record against what a configuration must be.
    """
    with Path(path).open("rb") as src:
        archive = read_archive(src, password=password, product_version=product_version)
        counts = archive.verify(validated)  # one pass over the records
    return VerifiedBackup(
        manifest=archive.manifest,
        entities=counts.entities,
        secrets=counts.secrets,
        files=len(archive.files),
        members=len(archive.manifest.members),
    )


def archive_ui_certificate(path: str | os.PathLike[str], password: str) -> str | None:
    """The UI certificate (PEM) an openscc archive would restore, or None if the archive is not
    one this openscc reads. For a display or a pinned check only: the records before it are read,
    not the whole archive."""
    try:
        with Path(path).open("rb") as src:
            archive = read_archive(src, password=password, product_version=__version__)
            for record in archive.records(check_unique=False):
                if record.kind == kinds.UI_CERTIFICATE:
                    pem = record.body.get("certificatePem")
                    return pem if isinstance(pem, str) else None
    except (BackupError, OSError):
        return None
    return None


def password_opens(path: str | os.PathLike[str], password: str) -> bool:
    """Whether ``password`` opens the archive (its key check; nothing else is read). Other
    refusals (not a backup, corrupt) are raised as they are."""
    with Path(path).open("rb") as src:
        try:
            read_archive(src, password=password, product_version=__version__)
        except WrongPassword:
            return False
    return True


def compare_archives(
    first: str | os.PathLike[str],
    first_password: str,
    second: str | os.PathLike[str],
    second_password: str,
    *,
    product_version: str = __version__,
) -> dict[str, Any]:
    """What changes from the first archive's configuration to the second's, per kind, each
    archive checked completely with its own password (as the server's dry run reports it:
    secrets are compared, never shown)."""
    sides = []
    for path, password in ((first, first_password), (second, second_password)):
        with Path(path).open("rb") as src:
            reader = read_archive(src, password=password, product_version=product_version)
            sides.append((reader.manifest, list(reader.records())))
    (first_manifest, first_records), (second_manifest, second_records) = sides
    changes = diff_configurations(first_records, second_records)
    return {
        "first": _facts(first_manifest),
        "second": _facts(second_manifest),
        "changes": {kind: entry.to_json() for kind, entry in changes.items()},
    }


def _facts(manifest: Manifest) -> dict[str, Any]:
    return {
        "createdAt": manifest.created_at,
        "sourceInstance": manifest.source_instance,
        "productVersion": manifest.product_version,
        "formatVersion": manifest.format_version,
        "counts": dict(manifest.counts),
    }

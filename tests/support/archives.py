"""Archive helpers for tests: open an archive with every check done, or read all its records."""

from __future__ import annotations

from typing import Any, BinaryIO

from openscc.backup.archive import ArchiveReader, read_archive
from openscc.snapshot import EntityRecord


def open_checked(src: BinaryIO, **options: Any) -> ArchiveReader:
    """``read_archive``, then every record read and checked, as a restore does before it
    commits; the reader can read the records again."""
    reader = read_archive(src, **options)
    reader.verify()
    return reader


def checked_records(reader: ArchiveReader) -> list[EntityRecord]:
    """Every record of the archive; raises if any check fails, the whole-member ones included."""
    return list(reader.records())

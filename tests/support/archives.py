"""Archive helpers for tests: open an archive with every check done, read all its records, or
write it again with other records under the same password."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO

from openscc.backup.archive import ArchiveReader, read_archive
from openscc.backup.kdf import weak_kdf
from openscc.backup.writer import write_archive
from openscc.store.records import EntityRecord


def open_checked(src: BinaryIO, **options: Any) -> ArchiveReader:
    """``read_archive``, then every record read and checked, as a restore does before it
    commits; the reader can read the records again."""
    reader = read_archive(src, **options)
    reader.verify()
    return reader


def checked_records(reader: ArchiveReader) -> list[EntityRecord]:
    """Every record of the archive; raises if any check fails, the whole-member ones included."""
    return list(reader.records())


def rewritten(
    archive: bytes,
    password: str,
    change: Callable[[list[EntityRecord]], list[EntityRecord]] = lambda records: records,
    *,
    files: dict[str, bytes] | None = None,
    source_instance: str | None = None,
) -> bytes:
    """The archive with its records changed by ``change`` (and its instance files replaced by
    ``files``), written again under ``password`` (as an attacker who knows the password can):
    valid in every check but what it says."""
    reader = read_archive(io.BytesIO(archive), password=password, product_version="999")
    records = change(list(reader.records()))
    manifest = reader.manifest
    out = io.BytesIO()
    write_archive(
        out,
        records=records,
        files=reader.files if files is None else files,
        password=password,
        kdf=weak_kdf(),
        product_version=manifest.product_version,
        scc_api_version=manifest.scc_api_version,
        source_instance=source_instance or manifest.source_instance,
        created_at_ms=manifest.created_at,
    )
    return out.getvalue()

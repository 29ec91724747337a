"""ObjectStoreTarget works over any store obstore opens: here its in-memory store (S3 itself is
tested against a real S3 server in test_s3_target.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import obstore
import pytest
from obstore.store import MemoryStore

from openscc.schedules.object_store import ObjectStoreTarget
from openscc.schedules.shipping import TargetFailed


def _archive(tmp_path: Path, data: bytes) -> tuple[Path, int, str]:
    path = tmp_path / "archive.zip"
    path.write_bytes(data)
    return path, len(data), hashlib.sha256(data).hexdigest()


def test_an_upload_is_verified_and_leaves_only_its_final_name(tmp_path: Path) -> None:
    store = MemoryStore()
    target = ObjectStoreTarget(store, "memory://backups/")
    source, size, digest = _archive(tmp_path, b"archive bytes" * 100_000)

    where = target.ship(source, "openscc-a.zip", size, digest, lambda: None)

    assert where == "memory://backups/openscc-a.zip"
    assert target.names() == ["openscc-a.zip"]
    assert bytes(obstore.get(store, "openscc-a.zip").bytes()) == source.read_bytes()
    target.delete("openscc-a.zip")
    assert target.names() == []


def test_an_upload_that_does_not_read_back_as_written_fails_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    target = ObjectStoreTarget(MemoryStore(), "memory://backups/")
    source, size, _ = _archive(tmp_path, b"archive bytes")

    with pytest.raises(TargetFailed, match="does not read back as written"):
        target.ship(source, "openscc-a.zip", size, "0" * 64, lambda: None)
    assert target.names() == []

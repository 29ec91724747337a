"""Archives built to slip past the container check: a ZIP64 end record hidden behind a long
archive comment, and an empty ZIP. The server and the CLI refuse both with the right error."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from openscc.backup.archive import inspect_archive
from openscc.cli import cli
from openscc.errors import NotABackup, UnsafeArchive

BACKUP = "/api/v1/configuration/backup"
EOCD = struct.Struct("<4s4H2LH")
EOCD64 = struct.Struct("<4sQ2H2L4Q")
LOCATOR = struct.Struct("<4sLQL")


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", "{}")
    return out.getvalue()


def zip64_behind_a_comment(comment_bytes: int, entries: int = 1_300_000) -> bytes:
    """A valid one-member ZIP whose ordinary end record is harmless, preceded by a ZIP64 end
    record declaring ``entries`` members and a ZIP64 locator, the end record carrying a comment
    of ``comment_bytes`` so that the locator lies outside a search window one byte too short."""
    plain = _plain_zip()
    end = EOCD.unpack(plain[-EOCD.size :])
    body = plain[: -EOCD.size]
    directory_offset, directory_size = end[6], end[5]
    zip64_offset = len(body)
    zip64 = EOCD64.pack(
        b"PK\x06\x06",
        EOCD64.size - 12,
        45,
        45,
        0,
        0,
        entries,
        entries,
        entries * 46,
        directory_offset,
    )
    locator = LOCATOR.pack(b"PK\x06\x07", 0, zip64_offset, 1)
    harmless_end = EOCD.pack(
        b"PK\x05\x06", 0, 0, 1, 1, directory_size, directory_offset, comment_bytes
    )
    return body + zip64 + locator + harmless_end + b"c" * comment_bytes


@pytest.mark.parametrize("comment_bytes", [0, 1000, 65_516, 65_535])
def test_a_zip64_record_is_refused_whatever_the_comment_hides(comment_bytes: int) -> None:
    archive = zip64_behind_a_comment(comment_bytes)
    with pytest.raises(UnsafeArchive, match="ZIP64"):
        inspect_archive(io.BytesIO(archive))


def test_the_server_refuses_the_hidden_zip64_archive_with_400(admin: TestClient) -> None:
    archive = zip64_behind_a_comment(65_535)

    response = admin.put(
        f"{BACKUP}?dryRun=true",
        files={"backup": ("b.zip", archive, "application/zip")},
        data={"password": "whatever-pw"},
    )

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert "ZIP64" in response.json()["message"]


def test_the_cli_refuses_the_hidden_zip64_archive_as_unsafe(tmp_path: Path) -> None:
    path = tmp_path / "hostile.zip"
    path.write_bytes(zip64_behind_a_comment(65_520))

    result = CliRunner().invoke(cli, ["backup", "inspect", str(path)])

    assert result.exit_code == UnsafeArchive.exit_code, result.output
    assert "ZIP64" in result.output


def _empty_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w"):
        pass
    return out.getvalue()


def test_an_empty_zip_is_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    path.write_bytes(_empty_zip())

    with pytest.raises(NotABackup, match=r"manifest\.json is missing"):
        inspect_archive(io.BytesIO(_empty_zip()))
    result = CliRunner().invoke(cli, ["backup", "inspect", str(path)])

    assert result.exit_code == NotABackup.exit_code == 11, result.output
    assert "manifest.json is missing" in result.output


def test_the_server_calls_an_empty_zip_not_a_backup(admin: TestClient) -> None:
    response = admin.put(
        f"{BACKUP}?dryRun=true",
        files={"backup": ("b.zip", _empty_zip(), "application/zip")},
        data={"password": "whatever-pw"},
    )

    assert response.status_code == 400
    assert "manifest.json is missing" in response.json()["message"]

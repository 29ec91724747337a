"""Every refusal of a bad archive is said in words: the command's exit code is the one docs/cli.md
lists for it, and no message names a Python exception (zipfile.BadZipFile, struct.error, ...)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from client_harness import BACKUP_PASSWORD, InProcessServer
from scripts.exit_codes_table import render_markdown

from openscc.backup.container import as_backup_error
from openscc.client.offline import verify_backup
from openscc.errors import BackupError, CorruptArchive, NotABackup, WrongPassword

# A dotted name ending in Error/Exception, or a bare exception class name.
PYTHON_NAMES = re.compile(
    r"\b[a-z_]+\.[A-Za-z_.]*(Error|Exception|File)\b|\b[A-Z][A-Za-z]*(Error|Exception)\b"
)


def _variants(archive: bytes) -> dict[str, tuple[bytes, type[BackupError]]]:
    flipped = bytearray(archive)
    flipped[archive.find(b"config.jsonl") + 200] ^= 0xFF
    return {
        "truncated": (archive[: len(archive) // 2], CorruptArchive),
        "a flipped byte": (bytes(flipped), CorruptArchive),
        "not a ZIP": (b"<html>502 Bad Gateway</html>", NotABackup),
        "empty": (b"", NotABackup),
    }


@pytest.mark.parametrize("what", ["truncated", "a flipped byte", "not a ZIP", "empty"])
def test_each_damage_is_refused_in_words_with_its_exit_code(
    server: InProcessServer, tmp_path: Path, what: str
) -> None:
    data, expected = _variants(server.backup())[what]
    path = tmp_path / "archive.zip"
    path.write_bytes(data)

    with pytest.raises(BackupError) as refused:
        verify_backup(path, BACKUP_PASSWORD)

    assert type(refused.value) is expected
    assert PYTHON_NAMES.search(refused.value.message) is None, refused.value.message
    assert f"| {expected.exit_code} | `{expected.__name__}`" in render_markdown()


@pytest.mark.parametrize(
    "raised",
    [zipfile.BadZipFile("Bad CRC-32 for file 'config.jsonl'"), EOFError(), ValueError("x"),
     zipfile.BadZipFile("Bad magic number for file header"), KeyError("member")],
)  # fmt: skip
def test_no_parser_error_reaches_a_message_by_its_name(raised: Exception) -> None:
    with pytest.raises(CorruptArchive) as refused, as_backup_error():
        raise raised

    assert PYTHON_NAMES.search(refused.value.message) is None, refused.value.message


def test_a_wrong_password_is_12(server: InProcessServer, tmp_path: Path) -> None:
    path = tmp_path / "archive.zip"
    path.write_bytes(server.backup())

    with pytest.raises(WrongPassword) as refused:
        verify_backup(path, "not-the-password")

    assert refused.value.exit_code == 12


def test_a_drill_with_the_wrong_password_exits_12_before_starting_anything(
    server: InProcessServer, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from openscc.cli import cli

    path = tmp_path / "archive.zip"
    path.write_bytes(server.backup())

    result = CliRunner().invoke(cli, ["backup", "drill", str(path)],
                                env={"OPENSCC_BACKUP_PASSWORD": "not-the-password"})  # fmt: skip

    assert result.exit_code == 12, result.output
    assert "wrong password" in result.stderr

"""The ZIP container of an upload: its limits, and every check made before a member is read.

Every upload is hostile: size, end record, names, member count, declared sizes, compression ratio
and layout are checked from the ZIP's directory, and no exception but a ``BackupError`` escapes.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from openscc.backup.members import READ_BYTES
from openscc.errors import BackupError, CorruptArchive, NotABackup, UnsafeArchive

_MIB = 1024 * 1024
_LOCAL_HEADER_BYTES = 30  # fixed part of a ZIP local file header
_END_RECORD_SIGNATURE = b"PK\x05\x06"
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
# zipfile's end-record search and the fields of what it returns: the one zipfile itself uses.
_ZIPFILE_END_RECORD = zipfile._EndRecData  # type: ignore[attr-defined]
_ECD_SIGNATURE: int = zipfile._ECD_SIGNATURE  # type: ignore[attr-defined]
_ECD_ENTRIES_THIS_DISK: int = zipfile._ECD_ENTRIES_THIS_DISK  # type: ignore[attr-defined]
_ECD_ENTRIES_TOTAL: int = zipfile._ECD_ENTRIES_TOTAL  # type: ignore[attr-defined]
_ECD_SIZE: int = zipfile._ECD_SIZE  # type: ignore[attr-defined]
_ECD_LOCATION: int = zipfile._ECD_LOCATION  # type: ignore[attr-defined]
_ZIP64_LOCATOR_BYTES = 20
# A directory entry is 46 bytes plus its name (at most 255 here) and extra field: 1 KiB is ample.
_MAX_DIRECTORY_ENTRY_BYTES = 1024
_MAX_NAME_CHARS = 255
_DOS_DIRECTORY = 0x10
_ENCRYPTED_FLAG = 0x1
_UTF8_FLAG = 0x800


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveLimits:
    """Caps applied to an uploaded archive before any member is read."""

    # A configuration backup is kilobytes to a few megabytes; these leave a wide margin.
    max_archive_bytes: int = 64 * _MIB
    max_members: int = 64
    # Uncompressed, as declared in the central directory. config.jsonl takes about 600 bytes per
    # resource (60 MB at 100,000); 1 GiB leaves room for well over a million. Members are read
    # as streams, so the cap bounds time, not memory.
    max_member_bytes: int = 1024 * _MIB
    max_total_bytes: int = 1024 * _MIB  # uncompressed, all members together
    # JSON lines compress about 5-20x; deflate's ceiling is about 1032x.
    max_ratio: int = 100
    # Smaller members may compress better than max_ratio; their size cap already bounds them.
    ratio_min_bytes: int = 1 * _MIB
    max_manifest_bytes: int = 1 * _MIB


DEFAULT_LIMITS = ArchiveLimits()


@contextmanager
def as_backup_error() -> Iterator[None]:
    # The server must answer 400, never 500, to a bad upload, whatever the parser trips on.
    try:
        yield
    except BackupError:
        raise
    except Exception as exc:
        raise CorruptArchive(f"{_describe(exc)}") from exc


_BAD_CRC = re.compile(r"Bad CRC-32 for file '(.{1,200})'")


def _describe(exc: Exception) -> str:
    """What is wrong, in words: never a Python exception's name (the message is for people)."""
    text = str(exc)[:160]
    if isinstance(exc, zipfile.BadZipFile):
        crc = _BAD_CRC.search(text)
        if crc:
            return f"member {crc.group(1)} fails its CRC-32 check: the file was changed or damaged"
        return f"its ZIP structure is damaged ({text})" if text else "its ZIP structure is damaged"
    if isinstance(exc, EOFError):
        return "a member ends too early: the file is truncated"
    if isinstance(exc, zlib.error):
        return "a member's compressed data is damaged"
    return f"it cannot be read ({text})" if text else "it cannot be read"


def open_zip(src: BinaryIO, limits: ArchiveLimits) -> zipfile.ZipFile:
    try:
        size = src.seek(0, io.SEEK_END)
    except Exception as exc:  # any failure to seek means it cannot be read as a ZIP
        raise NotABackup("not a ZIP file (the upload cannot be read)") from exc
    if size == 0:
        raise NotABackup("not a ZIP file (the upload is empty)")
    if size > limits.max_archive_bytes:
        raise UnsafeArchive(f"{size} bytes is over the cap of {limits.max_archive_bytes}")
    _check_end_record(src, size, limits)
    try:
        return zipfile.ZipFile(src)
    except Exception as exc:  # zipfile raises many types on hostile input
        raise NotABackup("not a ZIP file") from exc


def _check_end_record(src: BinaryIO, size: int, limits: ArchiveLimits) -> None:
    """Bound the central directory before zipfile parses it, since it builds every entry at once.

    The end record is found by zipfile's own search (``zipfile._EndRecData``), so the counts
    checked here are exactly those zipfile will use, whatever an archive comment hides. zipfile
    reads as many entries as fit in the directory size the end record declares, whatever its
    entry count says, so both are capped. openscc never writes ZIP64 (its limits are far below
    4 GiB and 65,535 members), so a ZIP64 end record or locator before the end record zipfile
    chose, and with them the ZIP64 parser differentials (CVE-2025-8291), is refused outright.
    """
    try:
        end = _ZIPFILE_END_RECORD(src)
    except Exception as exc:  # zipfile raises BadZipFile, OSError, struct.error on bad input
        raise NotABackup("not a ZIP file") from exc
    if end is None:
        src.seek(0)
        if src.read(4) == _LOCAL_HEADER_SIGNATURE:  # a ZIP's start, without its end: cut short
            raise CorruptArchive("the ZIP's end is missing: the file is truncated")
        raise NotABackup("not a ZIP file")
    record_offset = end[_ECD_LOCATION]
    src.seek(max(record_offset - _ZIP64_LOCATOR_BYTES, 0))
    before = src.read(min(record_offset, _ZIP64_LOCATOR_BYTES))
    if end[_ECD_SIGNATURE] != _END_RECORD_SIGNATURE or before[:4] == _ZIP64_LOCATOR_SIGNATURE:
        raise UnsafeArchive("ZIP64 records are not used by openscc backups")
    entries_here, entries, directory_bytes = (
        end[_ECD_ENTRIES_THIS_DISK],
        end[_ECD_ENTRIES_TOTAL],
        end[_ECD_SIZE],
    )
    if max(entries_here, entries) > limits.max_members:
        raise UnsafeArchive(
            f"{max(entries_here, entries)} members is over the cap of {limits.max_members}"
        )
    if directory_bytes > limits.max_members * _MAX_DIRECTORY_ENTRY_BYTES:
        raise UnsafeArchive(
            f"a central directory of {directory_bytes} bytes is over the cap of "
            f"{limits.max_members * _MAX_DIRECTORY_ENTRY_BYTES}"
        )


def check_container(zf: zipfile.ZipFile, limits: ArchiveLimits) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_member_entry(info)
        if info.filename in by_name:
            raise UnsafeArchive(f"duplicate member {show_name(info.filename)}")
        by_name[info.filename] = info
    if len(infos) > limits.max_members:
        raise UnsafeArchive(f"{len(infos)} members is over the cap of {limits.max_members}")
    _check_sizes(infos, limits)
    _check_layout(infos, end=getattr(zf, "start_dir", 0))
    return by_name


def _check_member_entry(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename
    shown = show_name(name)
    if info.filename != name or not name or len(name) > _MAX_NAME_CHARS:
        raise UnsafeArchive(f"member name {shown} is empty, too long or has NUL")
    if any(ord(char) < 0x20 or char == "\x7f" for char in name):
        raise UnsafeArchive(f"member name {shown} has control characters")
    if "\\" in name:
        raise UnsafeArchive(f"member name {shown} has a backslash")
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":" and name[0].isalpha()):
        raise UnsafeArchive(f"member name {shown} is an absolute path")
    if any(part in ("", ".", "..") for part in name.rstrip("/").split("/")):
        raise UnsafeArchive(f"member name {shown} has a '..', '.' or empty part")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeArchive(f"member {shown} is a symbolic link")
    if info.is_dir() or stat.S_ISDIR(mode) or info.external_attr & _DOS_DIRECTORY:
        raise UnsafeArchive(f"member {shown} is a directory")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise UnsafeArchive(f"member {shown} is not a regular file")
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise UnsafeArchive(f"member {shown} uses ZIP encryption")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsafeArchive(f"member {shown} uses an unsupported compression")


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    total = 0
    for info in infos:
        shown = show_name(info.filename)
        if info.file_size > limits.max_member_bytes:
            raise UnsafeArchive(
                f"member {shown} declares {info.file_size} bytes, over the cap "
                f"of {limits.max_member_bytes}"
            )
        if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive(f"member {shown} expands more than {limits.max_ratio} times")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise CorruptArchive(f"stored member {shown} has two sizes")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise UnsafeArchive(
            f"members declare {total} bytes together, over the cap of {limits.max_total_bytes}"
        )


def _check_layout(infos: list[zipfile.ZipInfo], *, end: int) -> None:
    # Entries must not share bytes ("quoted overlap" zip bombs, CVE-2024-0450), whatever the
    # Python version; a lower bound of each entry's length is enough to see an overlap.
    if not infos:
        return
    ordered = sorted(infos, key=lambda info: info.header_offset)
    bounds = [info.header_offset for info in ordered[1:]] + [end]
    for info, bound in zip(ordered, bounds, strict=True):
        encoding = "utf-8" if info.flag_bits & _UTF8_FLAG else "cp437"
        entry_end = (
            info.header_offset
            + _LOCAL_HEADER_BYTES
            + len(info.orig_filename.encode(encoding))
            + info.compress_size
        )
        if info.header_offset < 0 or entry_end > bound:
            raise UnsafeArchive(f"member {show_name(info.filename)} overlaps another")


def read_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """Yield a member's bytes, refusing to read past ``limit`` whatever its headers say."""
    total = 0
    with zf.open(info) as member:
        while chunk := member.read(READ_BYTES):
            total += len(chunk)
            if total > limit:
                raise CorruptArchive(f"member {show_name(info.filename)} is longer than declared")
            yield chunk


def show_name(name: str) -> str:
    return repr(name[:80] + ("..." if len(name) > 80 else ""))

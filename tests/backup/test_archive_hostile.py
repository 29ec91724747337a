"""Hostile archives, generated here: each is refused with the right error, before harm is done."""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import zipfile
from typing import Any

import pytest

from openscc.backup import kdf
from openscc.backup.archive import DEFAULT_LIMITS, ArchiveLimits, inspect_archive
from openscc.errors import (
    CorruptArchive,
    NotABackup,
    UnsafeArchive,
    UnsupportedVersion,
    WrongPassword,
)

MIB = 1024 * 1024


def _info(name: str, *, mode: int = stat.S_IFREG | 0o644, method: int = zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = mode << 16
    info.compress_type = method
    return info


def _refused(kit, data: bytes, expected, check_error, **kwargs: Any) -> str:
    with pytest.raises(expected) as caught:
        kit.open(data, **kwargs)
    check_error(caught.value, expected)
    return str(caught.value)


# --- not a ZIP, not a backup ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is text", b"\x00" + os.urandom(4095), b"PK\x05\x06"],
    ids=["empty", "text", "random", "short-eocd"],
)
def test_not_a_zip_is_refused(kit, check_error, data: bytes) -> None:
    """Anything that is not a ZIP file is 'not a ZIP file'."""
    message = _refused(kit, data, NotABackup, check_error)

    assert message.startswith("not a backup archive: not a ZIP file")


def test_a_zip_whose_end_is_missing_is_a_truncated_archive(kit, check_error) -> None:
    """A ZIP's start without its end (a copy cut short): corrupt, as the runbook files it."""
    message = _refused(kit, b"PK\x03\x04" + os.urandom(100), CorruptArchive, check_error)

    assert message == "archive is corrupt: the ZIP's end is missing: the file is truncated"


def test_zip_without_manifest_is_not_a_backup(kit, check_error, archive) -> None:
    """A ZIP without manifest.json is some other ZIP, not a backup."""
    data = kit.rebuild(archive, drop=["manifest.json"])

    message = _refused(kit, data, NotABackup, check_error)

    assert message == "not a backup archive: manifest.json is missing"


def test_unrelated_zip_is_not_a_backup(kit, check_error) -> None:
    """An ordinary ZIP of documents is not a backup."""
    data = kit.zip_of([("readme.txt", b"hello"), ("photo.jpg", b"\xff\xd8")])

    _refused(kit, data, NotABackup, check_error)


@pytest.mark.parametrize(
    "manifest",
    [b"{not json", b'{"product": "other", "format_version": 1}', b"[]", b"\xff\xfe"],
    ids=["bad-json", "other-product", "array", "not-utf8"],
)
def test_foreign_manifest_is_not_a_backup(kit, check_error, archive, manifest: bytes) -> None:
    """A manifest.json that is not ours means the file is not a backup."""
    data = kit.rebuild(archive, replace={"manifest.json": manifest})

    _refused(kit, data, NotABackup, check_error)


# --- versions -----------------------------------------------------------------------------------


def test_newer_format_version_is_refused(kit, check_error, archive) -> None:
    """An archive in a newer format is refused, naming both versions."""

    def newer(manifest: dict[str, Any]) -> None:
        manifest["format_version"] = 2

    data = kit.rebuild(archive, edit_manifest=newer, resign=True)

    message = _refused(kit, data, UnsupportedVersion, check_error)

    assert message == (
        "archive is too new: it was made in archive format 2; this openscc reads up to 1"
    )


def test_newer_product_version_is_refused(kit, check_error) -> None:
    """An archive made by a newer openscc is refused."""
    data = kit.build(product_version="0.2.0")

    message = _refused(kit, data, UnsupportedVersion, check_error, product_version="0.1.0")

    assert message.startswith("archive is too new: it was made by openscc 0.2.0")


def test_older_product_version_is_accepted(kit) -> None:
    """An archive made by an older openscc is accepted (and migrated by the caller)."""
    data = kit.build(product_version="0.0.9")

    assert kit.open(data, product_version="0.1.0").manifest.product_version == "0.0.9"


# --- password -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["wrong", "", " correct horse battery staple \u2713", "\ud800"],
    ids=["wrong", "empty", "leading-space", "lone-surrogate"],
)
def test_wrong_password_is_refused_and_not_echoed(kit, check_error, archive, password: str) -> None:
    """Any other password is 'wrong password', decided by the key check, and never echoed."""
    message = _refused(kit, archive, WrongPassword, check_error, password=password)

    assert message == "wrong password: the backup password does not open this archive"


def test_tampered_key_check_reads_as_wrong_password(kit, check_error, archive) -> None:
    """The key check is the only password oracle: changing it cannot be told from a wrong password."""

    def other_check(manifest: dict[str, Any]) -> None:
        manifest["key_check"] = "00" * 32

    data = kit.rebuild(archive, edit_manifest=other_check)

    _refused(kit, data, WrongPassword, check_error)


# --- KDF caps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"memory_kib": 4 * 1024 * 1024},
        {"memory_kib": 2**60},
        {"iterations": 1_000_000},
        {"parallelism": 255},
        {"memory_kib": 1},
        {"salt": "00" * 4},
        {"name": "pbkdf2"},
    ],
    ids=[
        "4GiB",
        "2^60KiB",
        "million-iterations",
        "255-lanes",
        "below-floor",
        "short-salt",
        "pbkdf2",
    ],
)
def test_kdf_over_the_caps_is_refused_before_derivation(
    kit, check_error, archive, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    """KDF parameters from the archive are capped before Argon2 runs at all."""

    def edit(manifest: dict[str, Any]) -> None:
        manifest["kdf"].update(change)

    data = kit.rebuild(archive, edit_manifest=edit)

    def must_not_run(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("argon2 ran on hostile parameters")

    monkeypatch.setattr(kdf, "hash_secret_raw", must_not_run)

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert message.startswith("unsafe archive: KDF parameters")


# --- member names and entry types ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "files/../../etc/passwd",
        "/abs",
        "/etc/passwd",
        "C:/windows/x",
        "c:x",
        "files\\..\\x",
        "files/./props.ini",
        "files//props.ini",
        "files/",
        "x" * 300,
        "files/a\x01b",
    ],
    ids=[
        "dotdot",
        "nested-dotdot",
        "absolute",
        "absolute-etc",
        "drive-letter",
        "drive-relative",
        "backslash",
        "dot-part",
        "empty-part",
        "directory",
        "too-long",
        "control-char",
    ],
)
def test_unsafe_member_names_are_refused(kit, check_error, archive, name: str) -> None:
    """Traversal, absolute paths, drive letters, backslashes and directories are unsafe."""
    data = kit.zip_of([*kit.members(archive).items(), (name, b"x")])

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert message.startswith("unsafe archive: member")


def test_nul_in_member_name_is_refused(kit, check_error, archive) -> None:
    """A NUL byte would make the name end early for some readers: unsafe."""
    data = kit.zip_of([*kit.members(archive).items(), ("files/evilXname", b"x")])
    data = data.replace(b"files/evilXname", b"files/evil\0name")

    _refused(kit, data, UnsafeArchive, check_error)


@pytest.mark.parametrize(
    ("mode", "word"),
    [
        (stat.S_IFLNK | 0o777, "symbolic link"),
        (stat.S_IFDIR | 0o755, "directory"),
        (stat.S_IFIFO | 0o644, "not a regular file"),
        (stat.S_IFCHR | 0o644, "not a regular file"),
    ],
    ids=["symlink", "directory-mode", "fifo", "device"],
)
def test_non_regular_entries_are_refused(kit, check_error, archive, mode: int, word: str) -> None:
    """Symbolic links, directories and special files are unsafe, even under a listed name."""
    members = kit.members(archive)
    entries = [(name, content) for name, content in members.items() if name != "files/props.ini"]
    entries.append((_info("files/props.ini", mode=mode), b"/etc/shadow"))

    message = _refused(kit, kit.zip_of(entries), UnsafeArchive, check_error)

    assert word in message


def test_duplicate_member_names_are_refused(kit, check_error, archive) -> None:
    """Two entries with one name could be read differently by two readers: unsafe."""
    members = kit.members(archive)
    data = kit.zip_of([*members.items(), ("config.jsonl", members["config.jsonl"])])

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "duplicate" in message


def test_too_many_members_are_refused(kit, check_error, archive) -> None:
    """More members than the cap is unsafe, whatever they hold."""
    extra = [(f"files/f{i}", b"") for i in range(DEFAULT_LIMITS.max_members)]

    message = _refused(
        kit, kit.zip_of([*kit.members(archive).items(), *extra]), UnsafeArchive, check_error
    )

    assert "members is over the cap" in message


def test_directory_holding_more_entries_than_the_end_record_says_is_refused(
    kit, check_error, archive
) -> None:
    """zipfile reads every entry in the directory, whatever the count says: the real count is capped."""
    extra = [(f"files/f{i}", b"") for i in range(DEFAULT_LIMITS.max_members)]
    data = kit.zip_of([*kit.members(archive).items(), *extra])
    end = data.rfind(b"PK\x05\x06")
    data = kit.patch(kit.patch(data, end + 8, "<H", 5), end + 10, "<H", 5)

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "members is over the cap" in message


def test_oversized_central_directory_is_refused_before_parsing(
    kit, check_error, archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A central directory too big for max_members entries is refused before zipfile reads it."""
    end = archive.rfind(b"PK\x05\x06")
    data = kit.patch(archive, end + 12, "<I", DEFAULT_LIMITS.max_members * 1024 + 1)

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("zipfile parsed a hostile directory")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", must_not_parse)

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "central directory" in message


def test_zip64_end_record_is_refused(kit, check_error, archive) -> None:
    """openscc never writes ZIP64; a ZIP64 end record (parser differentials) is refused."""
    end = archive.rfind(b"PK\x05\x06")
    entries, directory_bytes, directory_offset = struct.unpack("<HII", archive[end + 10 : end + 20])
    zip64_record = struct.pack(
        "<4sQHHIIQQQQ",
        b"PK\x06\x06",
        44,
        45,
        45,
        0,
        0,
        entries,
        entries,
        directory_bytes,
        directory_offset,
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    data = archive[:end] + zip64_record + locator + archive[end:]

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "ZIP64" in message


def test_trailing_comment_is_tolerated_like_zipfile_does(kit, archive) -> None:
    """The end record is found where zipfile finds it, so an archive comment does not confuse the checks."""
    end = archive.rfind(b"PK\x05\x06")
    data = kit.patch(archive, end + 20, "<H", 5) + b"hello"

    assert list(kit.open(data).records()) == kit.sample_records()


def test_zip_encryption_is_refused(kit, check_error, archive) -> None:
    """A member flagged as ZIP-encrypted is refused (openscc never writes one)."""
    offset = kit.central_entry(archive, "files/props.ini")
    data = kit.patch(archive, offset + 8, "<H", 0x1)

    _refused(kit, data, UnsafeArchive, check_error)


def test_other_compression_methods_are_refused(kit, check_error, archive) -> None:
    """Only stored and deflated members are read; bzip2 and lzma are refused."""
    members = kit.members(archive)
    entries = [(name, content) for name, content in members.items() if name != "files/props.ini"]
    entries.append((_info("files/props.ini", method=zipfile.ZIP_BZIP2), members["files/props.ini"]))

    message = _refused(kit, kit.zip_of(entries), UnsafeArchive, check_error)

    assert "compression" in message


# --- zip bombs ----------------------------------------------------------------------------------


def test_zip_bomb_by_ratio_is_refused(kit, check_error) -> None:
    """A member that expands more than the ratio cap is refused before it is decompressed."""
    data = kit.zip_of([("config.jsonl", bytes(10 * MIB))])  # about 10 KiB compressed
    assert len(data) < 64 * 1024

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "expands more than 100 times" in message


def test_zip_bomb_by_declared_size_is_refused(kit, check_error, archive) -> None:
    """A member declaring a huge size is refused from the central directory alone."""
    offset = kit.central_entry(archive, "config.jsonl")
    data = kit.patch(archive, offset + 24, "<I", 0xFFFFFFF0)

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "over the cap" in message


def test_total_size_over_the_cap_is_refused(kit, check_error, archive) -> None:
    """Members each under the cap but together over it are refused."""
    limits = ArchiveLimits(max_total_bytes=1000)

    message = _refused(kit, archive, UnsafeArchive, check_error, limits=limits)

    assert "together" in message


def test_member_over_the_size_cap_is_refused(kit, check_error, archive) -> None:
    """One member larger than max_member_bytes is refused."""
    limits = ArchiveLimits(max_member_bytes=100)

    _refused(kit, archive, UnsafeArchive, check_error, limits=limits)


def test_archive_over_the_size_cap_is_refused(kit, check_error, archive) -> None:
    """The upload's own size is capped before the ZIP is parsed."""
    limits = ArchiveLimits(max_archive_bytes=len(archive) - 1)

    message = _refused(kit, archive, UnsafeArchive, check_error, limits=limits)

    assert f"{len(archive)} bytes is over the cap" in message


def test_oversized_manifest_is_refused(kit, check_error, archive) -> None:
    """manifest.json itself is capped (it is parsed before anything is authenticated)."""
    limits = ArchiveLimits(max_manifest_bytes=100)

    _refused(kit, archive, UnsafeArchive, check_error, limits=limits)


def test_entries_sharing_bytes_are_refused(kit, check_error, archive) -> None:
    """Two directory entries pointing at one local header (overlap zip bomb) are unsafe."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        first = zf.getinfo("config.jsonl").header_offset
    offset = kit.central_entry(archive, "files/props.ini")
    data = kit.patch(archive, offset + 42, "<I", first)

    message = _refused(kit, data, UnsafeArchive, check_error)

    assert "overlaps" in message


def test_entry_whose_data_covers_the_next_is_refused(kit, check_error, archive) -> None:
    """A compressed size reaching into the next entry (quoted overlap, CVE-2024-0450) is unsafe."""
    offset = kit.central_entry(archive, "config.jsonl")
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        size = zf.getinfo("config.jsonl").compress_size
    data = kit.patch(archive, offset + 20, "<I", size + 200)

    _refused(kit, data, UnsafeArchive, check_error)


def test_local_and_central_names_that_differ_are_refused(kit, check_error, archive) -> None:
    """A local header naming another file than the central directory is corrupt."""
    data = archive.replace(b"config.jsonl", b"config.jsonX", 1)  # the first one is the local header

    _refused(kit, data, CorruptArchive, check_error)


# --- members versus manifest ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["files/extra.ini", "evil.sh", "config.json"])
def test_member_not_in_the_manifest_is_refused(kit, check_error, archive, name: str) -> None:
    """An extra member, even with a harmless name, means the archive was changed."""
    data = kit.zip_of([*kit.members(archive).items(), (name, b"x")])

    message = _refused(kit, data, CorruptArchive, check_error)

    assert message == f"archive is corrupt: unexpected member {name!r}"


@pytest.mark.parametrize("name", ["config.jsonl", "secrets.jsonl.enc", "files/props.ini"])
def test_missing_member_is_refused(kit, check_error, archive, name: str) -> None:
    """A member the manifest lists but the ZIP lacks means the archive was changed."""
    data = kit.zip_of((n, content) for n, content in kit.members(archive).items() if n != name)

    message = _refused(kit, data, CorruptArchive, check_error)

    assert message == f"archive is corrupt: member {name!r} is missing"


def test_missing_mac_is_refused(kit, check_error, archive) -> None:
    """Without manifest.mac nothing can be authenticated."""
    data = kit.zip_of((n, c) for n, c in kit.members(archive).items() if n != "manifest.mac")

    _refused(kit, data, CorruptArchive, check_error)


def test_manifest_listing_an_unknown_member_is_refused(kit, check_error, archive) -> None:
    """A manifest listing a member the archive does not hold is refused."""

    def ghost(manifest: dict[str, Any]) -> None:
        manifest["members"]["files/ghost.ini"] = {"size": 1, "sha256": "00" * 32}

    data = kit.rebuild(archive, edit_manifest=ghost, resign=True)

    message = _refused(kit, data, CorruptArchive, check_error)

    assert "files/ghost.ini" in message


def test_manifest_listing_an_invalid_member_name_is_refused(kit, check_error, archive) -> None:
    """A manifest may only list config, secrets and files/<simple name>."""

    def evil(manifest: dict[str, Any]) -> None:
        manifest["members"]["../evil"] = {"size": 1, "sha256": "00" * 32}

    data = kit.rebuild(archive, edit_manifest=evil, resign=True)

    _refused(kit, data, CorruptArchive, check_error)


def test_manifest_size_that_differs_from_the_zip_is_refused(kit, check_error, archive) -> None:
    """The manifest's sizes must agree with the ZIP's, checked before any member is read."""

    def bigger(manifest: dict[str, Any]) -> None:
        manifest["members"]["config.jsonl"]["size"] += 1

    data = kit.rebuild(archive, edit_manifest=bigger, resign=True)

    message = _refused(kit, data, CorruptArchive, check_error)

    assert "wrong size" in message


def test_inspect_applies_the_same_structural_checks(kit, check_error, archive) -> None:
    """inspect_archive (no password) refuses hostile structure just as open_archive does."""
    data = kit.zip_of([*kit.members(archive).items(), ("../x", b"x")])

    with pytest.raises(UnsafeArchive) as caught:
        inspect_archive(io.BytesIO(data))

    check_error(caught.value, UnsafeArchive)


def test_inspect_reads_a_manifest_without_authenticating_it(kit, archive) -> None:
    """inspect_archive is for display: a manifest changed without the password is still shown."""

    def rename(manifest: dict[str, Any]) -> None:
        manifest["source_instance"] = "forged"

    data = kit.rebuild(archive, edit_manifest=rename)

    assert inspect_archive(io.BytesIO(data)).source_instance == "forged"
    with pytest.raises(CorruptArchive):
        kit.open(data)


def test_corpus_entries_are_distinct(kit, archive) -> None:
    """Sanity: the sample archive itself opens, so every refusal above is due to its change."""
    opened = kit.open(archive)

    assert json.loads(opened.manifest.to_json())["product"] == "openscc"

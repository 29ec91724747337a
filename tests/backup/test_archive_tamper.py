"""Tampered and truncated archives: every change that matters is caught, and only BackupErrors escape."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openscc.backup.crypto import encrypt_stream, member_aad
from openscc.backup.manifest import FORMAT_VERSION
from openscc.errors import BackupError, CorruptArchive, NotABackup, WrongPassword
from support.archives import open_checked

MEMBERS = ["manifest.json", "manifest.mac", "config.jsonl", "secrets.jsonl.enc", "files/props.ini"]
PAYLOAD_MEMBERS = ["config.jsonl", "secrets.jsonl.enc", "files/props.ini"]


def _flip(content: bytes, position: int) -> bytes:
    raw = bytearray(content)
    raw[position] ^= 0x01
    return bytes(raw)


@pytest.mark.parametrize("member", MEMBERS)
def test_flipped_byte_in_stored_bytes_is_corrupt(kit, check_error, archive, member: str) -> None:
    """A bit flipped inside any member's bytes in the file (CRC left stale) is corrupt."""
    offset = kit.data_offset(archive, member)
    data = _flip(archive, offset + 3)

    with pytest.raises(CorruptArchive) as caught:
        kit.open(data)

    check_error(caught.value, CorruptArchive)


@pytest.mark.parametrize("member", ["manifest.mac", *PAYLOAD_MEMBERS])
def test_changed_member_with_consistent_zip_is_corrupt(
    kit, check_error, archive, member: str
) -> None:
    """A member rewritten with a valid CRC still fails its manifest digest or the MAC."""
    content = kit.members(archive)[member]
    data = kit.rebuild(archive, replace={member: _flip(content, len(content) // 2)})

    with pytest.raises(CorruptArchive) as caught:
        kit.open(data)

    check_error(caught.value, CorruptArchive)


@pytest.mark.parametrize("member", PAYLOAD_MEMBERS)
def test_changed_member_with_updated_digest_fails_the_mac(
    kit, check_error, archive, member: str
) -> None:
    """Updating the manifest's digest to match a changed member breaks the manifest MAC."""
    content = kit.members(archive)[member]
    changed = _flip(content, len(content) // 2)

    def follow(manifest: dict[str, Any]) -> None:
        manifest["members"][member] = {
            "size": len(changed),
            "sha256": hashlib.sha256(changed).hexdigest(),
        }

    data = kit.rebuild(archive, replace={member: changed}, edit_manifest=follow)

    with pytest.raises(CorruptArchive) as caught:
        kit.open(data)

    assert "manifest.mac does not match" in str(caught.value)


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m.update(source_instance="another-host"),
        lambda m: m.update(created_at=0),
        lambda m: m["counts"].update(user=2),
        lambda m: m.update(product_version="0.0.1"),
    ],
    ids=["source-instance", "created-at", "counts", "product-version"],
)
def test_edited_manifest_fails_the_mac(kit, check_error, archive, edit) -> None:
    """Any change to manifest.json, even harmless-looking, is detected once the password is known."""
    data = kit.rebuild(archive, edit_manifest=edit)

    with pytest.raises(CorruptArchive, match=r"manifest.mac does not match") as caught:
        kit.open(data)

    check_error(caught.value, CorruptArchive)


@pytest.mark.parametrize("field", ["salt", "memory_kib"])
def test_edited_kdf_parameters_read_as_wrong_password(
    kit, check_error, archive, field: str
) -> None:
    """Changing the KDF salt or cost changes every key, so the key check fails first."""

    def edit(manifest: dict[str, Any]) -> None:
        manifest["kdf"][field] = "ff" * 16 if field == "salt" else 16

    data = kit.rebuild(archive, edit_manifest=edit)

    with pytest.raises(WrongPassword) as caught:
        kit.open(data)

    check_error(caught.value, WrongPassword)


# --- inner layers: archives re-signed with the right password ------------------------------------
# These could only be made by someone holding the password (or by a buggy writer). They prove that
# each inner check works on its own, even when the manifest and its MAC are consistent.


def _config_lines(kit, archive: bytes) -> list[bytes]:
    return kit.members(archive)["config.jsonl"].splitlines(keepends=True)


def _secrets(kit, archive: bytes, plaintext: bytes, *, member: str = "secrets.jsonl.enc") -> bytes:
    keys = kit.keys(archive)
    aad = member_aad(member, FORMAT_VERSION)
    return encrypt_stream(keys.encryption_key, plaintext, aad=aad, nonce_prefix=b"\0" * 7)


def _secret_lines(kit, archive: bytes) -> list[bytes]:
    opened = kit.open(archive)
    return [
        (json.dumps({"kind": r.kind, "key": r.key, "secret": r.secret}) + "\n").encode()
        for r in opened.records()
        if r.secret is not None
    ]


def test_resigned_flipped_ciphertext_fails_authentication(kit, check_error, archive) -> None:
    """A changed ciphertext with a matching digest and MAC still fails its GCM tag."""
    content = kit.members(archive)["secrets.jsonl.enc"]
    data = kit.rebuild(archive, replace={"secrets.jsonl.enc": _flip(content, 20)}, resign=True)

    with pytest.raises(CorruptArchive, match="failed authentication") as caught:
        kit.open(data)

    check_error(caught.value, CorruptArchive)


def test_resigned_ciphertext_for_another_member_fails_authentication(kit, archive) -> None:
    """Ciphertext sealed for another member name does not open as the secrets member."""
    sealed = _secrets(kit, archive, b"".join(_secret_lines(kit, archive)), member="config.jsonl")
    data = kit.rebuild(archive, replace={"secrets.jsonl.enc": sealed}, resign=True)

    with pytest.raises(CorruptArchive, match="failed authentication"):
        kit.open(data)


def test_resigned_stream_without_final_chunk_is_refused(kit, archive) -> None:
    """A secrets stream cut at a chunk boundary (final chunk gone) is refused."""
    sealed = _secrets(kit, archive, b"".join(_secret_lines(kit, archive)))
    data = kit.rebuild(archive, replace={"secrets.jsonl.enc": sealed[:7]}, resign=True)

    with pytest.raises(CorruptArchive, match="truncated"):
        kit.open(data)


def test_resigned_control_archive_opens(kit, archive) -> None:
    """Sanity for the tests below: re-signing unchanged members gives an archive that opens."""
    sealed = _secrets(kit, archive, b"".join(_secret_lines(kit, archive)))
    data = kit.rebuild(archive, replace={"secrets.jsonl.enc": sealed}, resign=True)

    assert list(kit.open(data).records()) == kit.sample_records()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda lines: [*lines[:3], *lines[4:]], "records per kind differ"),
        (
            lambda lines: [*lines, b'{"kind":"user","key":"extra","parent":null,"body":{}}\n'],
            "records per kind",
        ),
        (lambda lines: [*lines, lines[0]], "appears twice"),
        (lambda lines: [b"{not json\n", *lines[1:]], "line 1 of config.jsonl is not valid JSON"),
        (lambda lines: [b'{"kind":"user"}\n', *lines[1:]], "is not a record"),
        (
            lambda lines: [b'{"kind":"","key":"k","parent":null,"body":{}}\n', *lines[1:]],
            "not a record",
        ),
        (
            lambda lines: [b'{"kind":"u","key":"k","parent":1,"body":{}}\n', *lines[1:]],
            "not a record",
        ),
        (
            lambda lines: [b'{"kind":"u","key":"k","parent":null,"body":[]}\n', *lines[1:]],
            "not a record",
        ),
        (lambda lines: [*lines[:-1], lines[-1].rstrip(b"\n")], "does not end with a newline"),
        (lambda lines: [lines[1], lines[0], *lines[2:]], "out of order"),
        (lambda lines: [b"\xff\n", *lines[1:]], "not valid JSON"),
        (lambda lines: [b"[" * 50_000 + b"]" * 50_000 + b"\n", *lines[1:]], "not valid JSON"),
        (
            lambda lines: [b'{"kind":"u","key":"k","parent":null,"body":{"a":NaN}}\n', *lines[1:]],
            "not valid JSON",
        ),
    ],
    ids=[
        "record-dropped",
        "record-added",
        "record-duplicated",
        "bad-json",
        "missing-fields",
        "empty-kind",
        "int-parent",
        "list-body",
        "no-final-newline",
        "reordered",
        "not-utf8",
        "deep-nesting",
        "nan",
    ],
)
def test_resigned_bad_config_is_refused(kit, check_error, archive, mutate, message: str) -> None:
    """Content checks: counts per kind, uniqueness, schema of each line, secret order."""
    config = b"".join(mutate(_config_lines(kit, archive)))
    data = kit.rebuild(archive, replace={"config.jsonl": config}, resign=True)

    with pytest.raises(CorruptArchive, match=message) as caught:
        kit.open(data)

    check_error(caught.value, CorruptArchive)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda lines: lines[:-1], "secrets per kind differ"),
        (
            lambda lines: [*lines, b'{"kind":"user","key":"nobody","secret":{}}\n'],
            "belongs to no record",
        ),
        (lambda lines: [lines[1], lines[0], *lines[2:]], "belongs to no record"),
        (
            lambda lines: [b"not json\n", *lines[1:]],
            "line 1 of secrets.jsonl.enc is not valid JSON",
        ),
        (lambda lines: [b'{"kind":"user","key":"x","secret":"pw"}\n'], "not a secret entry"),
        (lambda lines: [*lines[:-1], lines[-1].rstrip(b"\n")], "does not end with a newline"),
    ],
    ids=[
        "secret-dropped",
        "secret-for-nobody",
        "reordered",
        "bad-json",
        "secret-not-object",
        "no-newline",
    ],
)
def test_resigned_bad_secrets_are_refused(kit, check_error, archive, mutate, message: str) -> None:
    """Secret lines must each join a record, in order, and match the manifest's secret counts."""
    sealed = _secrets(kit, archive, b"".join(mutate(_secret_lines(kit, archive))))
    data = kit.rebuild(archive, replace={"secrets.jsonl.enc": sealed}, resign=True)

    with pytest.raises(CorruptArchive, match=message) as caught:
        kit.open(data)

    check_error(caught.value, CorruptArchive)


def test_error_about_a_secret_line_never_quotes_it(kit, archive) -> None:
    """A malformed secret line is reported by number only: its content is secret."""
    sealed = _secrets(kit, archive, b'{"kind":"user","key":"x","secret":"hunter2-leak"}\n')
    data = kit.rebuild(archive, replace={"secrets.jsonl.enc": sealed}, resign=True)

    with pytest.raises(CorruptArchive) as caught:
        kit.open(data)

    assert "hunter2" not in str(caught.value)


# --- properties over every offset -----------------------------------------------------------------

_FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_FUZZ
@given(data=st.data())
def test_truncation_anywhere_raises_only_backup_errors(kit, archive, data) -> None:
    """Property: an archive cut at any offset is refused with a BackupError, nothing else."""
    cut = data.draw(st.integers(0, len(archive) - 1))

    with pytest.raises(BackupError):
        kit.open(archive[:cut])


@pytest.mark.parametrize("cut", [0, 1, 4, 22, 100, -1, -22, -23, -100])
def test_truncation_at_notable_offsets(kit, archive, cut: int) -> None:
    """Cuts in the headers, the data and the end-of-central-directory record are all refused."""
    with pytest.raises(BackupError):
        kit.open(archive[:cut])


@_FUZZ
@given(data=st.data())
def test_flipped_byte_anywhere_is_refused_or_changes_nothing(kit, archive, data) -> None:
    """Property: a flipped byte is a BackupError, or it changed only meaningless ZIP metadata."""
    position = data.draw(st.integers(0, len(archive) - 1))
    bit = data.draw(st.sampled_from([0x01, 0x80, 0xFF]))
    tampered = bytearray(archive)
    tampered[position] ^= bit

    try:
        opened = kit.open(bytes(tampered))
        records, files, manifest = list(opened.records()), opened.files, opened.manifest
    except BackupError:
        return

    original = kit.open(archive)
    assert (records, files, manifest) == (
        list(original.records()),
        original.files,
        original.manifest,
    )


@_FUZZ
@given(garbage=st.binary(min_size=1, max_size=2048))
def test_random_bytes_raise_only_backup_errors(kit, garbage: bytes) -> None:
    """Property: arbitrary bytes are refused with a BackupError."""
    with pytest.raises(BackupError):
        kit.open(garbage)


@_FUZZ
@given(data=st.data())
def test_spliced_garbage_raises_only_backup_errors(kit, archive, data) -> None:
    """Property: random bytes overwriting any span of a valid archive never escape as raw errors."""
    start = data.draw(st.integers(0, len(archive) - 1))
    garbage = data.draw(st.binary(min_size=1, max_size=64))
    tampered = archive[:start] + garbage + archive[start + len(garbage) :]

    with contextlib.suppress(BackupError):
        kit.open(tampered)


def test_source_that_cannot_seek_is_not_a_backup(kit, check_error) -> None:
    """A non-seekable source is reported as a BackupError, not a raw I/O error."""

    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

    with pytest.raises(NotABackup) as caught:
        open_checked(Pipe(), password=kit.password, product_version=kit.product_version)  # type: ignore[arg-type]

    check_error(caught.value, NotABackup)

"""The manifest: strict parsing, field validation and the version rule."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openscc.backup.kdf import KdfParams
from openscc.backup.manifest import (
    FORMAT_VERSION,
    Manifest,
    MemberDigest,
    is_file_name,
    is_newer_version,
    is_payload_member,
)
from openscc.errors import CorruptArchive, NotABackup, UnsupportedVersion

DIGEST = MemberDigest(size=3, sha256="ab" * 32)


def _manifest(**changes: Any) -> Manifest:
    fields: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "product": "openscc",
        "product_version": "0.1.0",
        "scc_api_version": "2.19.0.2",
        "created_at": 1_700_000_000_000,
        "source_instance": "instance-1",
        "counts": {"user": 2, "subaccount": 1},
        "secret_counts": {"user": 2},
        "members": {"config.jsonl": DIGEST, "secrets.jsonl.enc": DIGEST, "files/props.ini": DIGEST},
        "kdf": KdfParams(
            name="argon2id", memory_kib=8, iterations=1, parallelism=1, salt=bytes(16)
        ),
        "key_check": bytes(32),
    }
    fields.update(changes)
    return Manifest(**fields)


def _json(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_manifest().to_json())
    data.update(changes)
    return data


def _raw(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def test_round_trip() -> None:
    """from_json(to_json(m)) == m."""
    manifest = _manifest()

    assert Manifest.from_json(manifest.to_json()) == manifest


@settings(max_examples=50)
@given(
    counts=st.dictionaries(st.text(min_size=1, max_size=20), st.integers(0, 2**53)),
    instance=st.text(min_size=1, max_size=256),
    created_at=st.integers(0, 2**53),
)
def test_round_trip_any_values(counts: dict[str, int], instance: str, created_at: int) -> None:
    """Property: any valid counts, instance id (any unicode) and time survive serialisation."""
    manifest = _manifest(counts=counts, source_instance=instance, created_at=created_at)

    assert Manifest.from_json(manifest.to_json()) == manifest


def test_serialisation_is_ascii_and_stable() -> None:
    """The MACed bytes are deterministic: sorted keys, ASCII only."""
    raw = _manifest(source_instance="h\u00f4te").to_json()

    assert raw == _manifest(source_instance="h\u00f4te").to_json()
    assert raw.isascii()


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"\xff\xfe{}", b'{"a": NaN}', b"[1, 2]", b"[" * 100_000 + b"]" * 100_000],
    ids=["empty", "text", "not-utf8", "nan", "array", "deeply-nested"],
)
def test_manifest_that_is_not_a_json_object_is_not_a_backup(raw: bytes) -> None:
    """Garbage in manifest.json means the file is not an openscc backup."""
    with pytest.raises(NotABackup, match=r"^not a backup archive"):
        Manifest.from_json(raw)


def test_duplicate_json_keys_are_refused() -> None:
    """Two values for one key could be read differently by two parsers: refused."""
    raw = (
        _manifest()
        .to_json()
        .replace(b'"product": "openscc"', b'"product": "openscc", "product": "x"')
    )

    with pytest.raises(NotABackup, match="not valid JSON"):
        Manifest.from_json(raw)


@pytest.mark.parametrize("product", [None, "other", 1])
def test_other_products_are_not_a_backup(product: object) -> None:
    """A manifest from another product (or none) is not an openscc backup."""
    data = _json(product=product)

    with pytest.raises(NotABackup, match=r"^not a backup archive"):
        Manifest.from_json(_raw(data))


@pytest.mark.parametrize("version", [None, 0, -1, "1", True, 1.0])
def test_missing_or_invalid_format_version_is_not_a_backup(version: object) -> None:
    """Without an integer format version >= 1 the file cannot be read at all."""
    with pytest.raises(NotABackup, match="format version"):
        Manifest.from_json(_raw(_json(format_version=version)))


def test_newer_format_is_refused_with_its_number() -> None:
    """An archive in a newer format is refused before any other field is looked at."""
    raw = _raw({"product": "openscc", "format_version": FORMAT_VERSION + 1, "new": "layout"})

    with pytest.raises(UnsupportedVersion) as caught:
        Manifest.from_json(raw)

    assert str(caught.value) == (
        f"archive is too new: it was made in archive format {FORMAT_VERSION + 1}; "
        f"this openscc reads up to {FORMAT_VERSION}"
    )


@pytest.mark.parametrize("archive_version", ["0.2.0", "0.1.1", "1.0", "0.1.0.1", "0.10.0"])
def test_newer_product_version_is_refused(archive_version: str) -> None:
    """An archive made by a newer openscc is refused, even if it added fields we do not know."""
    data = _json(product_version=archive_version, field_from_the_future=True)

    with pytest.raises(UnsupportedVersion, match=r"^archive is too new: it was made by openscc"):
        Manifest.from_json(_raw(data), running_version="0.1.0")


@pytest.mark.parametrize("archive_version", ["0.1.0", "0.0.9", "0.1", "0.1.0rc1", "0.0.10"])
def test_same_or_older_product_version_is_accepted(archive_version: str) -> None:
    """Archives from this or an older openscc are read (and migrated by the caller)."""
    data = _json(product_version=archive_version)

    assert (
        Manifest.from_json(_raw(data), running_version="0.1.0").product_version == archive_version
    )


@pytest.mark.parametrize(
    ("a", "b", "newer"),
    [
        ("1.10", "1.9", True),
        ("1.9", "1.10", False),
        ("1.0", "1.0.0", False),
        ("1.0.0.1", "1.0", True),
        ("2", "1.99.99", True),
        ("0.2.0.dev1", "0.2.0", False),
    ],
)
def test_versions_compare_numerically(a: str, b: str, newer: bool) -> None:
    """Dotted versions compare part by part as numbers, missing parts being zero."""
    assert is_newer_version(a, b) is newer


@pytest.mark.parametrize("field", sorted(json.loads(_manifest().to_json())))
def test_every_missing_field_is_refused(field: str) -> None:
    """Each field is required; without it the manifest is corrupt (or not a backup at all)."""
    data = _json()
    del data[field]

    with pytest.raises((CorruptArchive, NotABackup)):
        Manifest.from_json(_raw(data))


def test_unknown_field_is_refused() -> None:
    """Fields this version does not define are refused, not ignored."""
    with pytest.raises(CorruptArchive, match="unknown field 'extra'"):
        Manifest.from_json(_raw(_json(extra=1)))


BAD_VALUES = {
    "created_at-string": {"created_at": "1700000000000"},
    "created_at-negative": {"created_at": -1},
    "created_at-bool": {"created_at": True},
    "created_at-float": {"created_at": 1.5},
    "product_version-empty": {"product_version": ""},
    "product_version-not-dotted": {"product_version": "latest"},
    "scc_api_version-number": {"scc_api_version": 2},
    "source_instance-too-long": {"source_instance": "x" * 257},
    "counts-list": {"counts": []},
    "counts-negative": {"counts": {"user": -1}},
    "counts-empty-kind": {"counts": {"": 1}},
    "counts-string": {"counts": {"user": "1"}},
    "secret_counts-null": {"secret_counts": None},
    "members-list": {"members": []},
    "members-traversal": {"members": {"files/../x": {"size": 1, "sha256": "ab" * 32}}},
    "members-unknown-name": {"members": {"evil.sh": {"size": 1, "sha256": "ab" * 32}}},
    "members-no-config": {"members": {"secrets.jsonl.enc": {"size": 1, "sha256": "ab" * 32}}},
    "members-uppercase-hex": {
        "members": {
            "config.jsonl": {"size": 1, "sha256": "AB" * 32},
            "secrets.jsonl.enc": {"size": 1, "sha256": "ab" * 32},
        }
    },
    "members-negative-size": {
        "members": {
            "config.jsonl": {"size": -1, "sha256": "ab" * 32},
            "secrets.jsonl.enc": {"size": 1, "sha256": "ab" * 32},
        }
    },
    "members-extra-key": {
        "members": {
            "config.jsonl": {"size": 1, "sha256": "ab" * 32, "x": 1},
            "secrets.jsonl.enc": {"size": 1, "sha256": "ab" * 32},
        }
    },
    "kdf-string": {"kdf": "argon2id"},
    "kdf-missing-salt": {
        "kdf": {"name": "argon2id", "memory_kib": 8, "iterations": 1, "parallelism": 1}
    },
    "kdf-float-memory": {
        "kdf": {
            "name": "argon2id",
            "memory_kib": 8.0,
            "iterations": 1,
            "parallelism": 1,
            "salt": "00" * 16,
        }
    },
    "kdf-odd-salt": {
        "kdf": {
            "name": "argon2id",
            "memory_kib": 8,
            "iterations": 1,
            "parallelism": 1,
            "salt": "0" * 31,
        }
    },
    "key_check-short": {"key_check": "00" * 31},
    "key_check-not-hex": {"key_check": "zz" * 32},
}


@pytest.mark.parametrize("change", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_ill_typed_fields_are_corrupt(change: dict[str, Any]) -> None:
    """Every field is type- and range-checked; a bad value is a corrupt archive."""
    with pytest.raises(CorruptArchive, match=r"^archive is corrupt"):
        Manifest.from_json(_raw(_json(**change)))


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("props.ini", True),
        ("a", True),
        ("props.ini.restored", True),
        ("", False),
        (".hidden", False),
        ("..", False),
        ("a..b", False),
        ("a/b", False),
        ("a\\b", False),
        ("C:x", False),
        ("x" * 129, False),
        ("caf\u00e9", False),
    ],
)
def test_file_names_are_simple(name: str, ok: bool) -> None:
    """Only simple ASCII names (no paths, dots first, or traversal) may appear under files/."""
    assert is_file_name(name) is ok
    assert is_payload_member("files/" + name) is ok


@settings(max_examples=200)
@given(raw=st.binary(max_size=300))
def test_any_bytes_raise_only_backup_errors(raw: bytes) -> None:
    """Property: parsing arbitrary bytes gives a manifest or a BackupError, nothing else."""
    with contextlib.suppress(NotABackup, CorruptArchive, UnsupportedVersion):
        Manifest.from_json(raw)

"""No sensitive value, and not the password, appears in plaintext anywhere in an archive."""

from __future__ import annotations

import base64
import io
import json
import struct
import zipfile
import zlib

import pytest

from openscc.backup.manifest import MANIFEST_MEMBER
from openscc.store.records import EntityRecord


def _encodings(value: str) -> list[bytes]:
    """The forms a leaked string could take: raw UTF-8, JSON-escaped, hex and base64."""
    raw = value.encode("utf-8")
    json_escaped = json.dumps(value)[1:-1].encode("ascii")
    return [raw, json_escaped, raw.hex().encode(), base64.b64encode(raw)]


def _views(archive: bytes) -> dict[str, bytes]:
    """The archive's raw bytes, plus every member decompressed, plus every member's raw stream."""
    views = {"<raw archive>": archive}
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        for info in zf.infolist():
            views[info.filename] = zf.read(info)
            if info.compress_type == zipfile.ZIP_DEFLATED:
                name_length, extra_length = struct.unpack(
                    "<HH", archive[info.header_offset + 26 : info.header_offset + 30]
                )
                start = info.header_offset + 30 + name_length + extra_length
                stream = archive[start : start + info.compress_size]
                views[f"{info.filename} (inflated by hand)"] = zlib.decompress(stream, -15)
    return views


def test_no_secret_or_password_appears_in_any_view_of_the_archive(kit, archive) -> None:
    """Raw, or after decompressing each member, no secret value or password is found in any form."""
    needles = {value: _encodings(value) for value in (*kit.secret_values, kit.password)}

    leaks = [
        (where, value)
        for where, content in _views(archive).items()
        for value, forms in needles.items()
        if any(form in content for form in forms)
    ]

    assert leaks == []


def test_the_scan_finds_a_planted_leak(kit) -> None:
    """The scan above can fail: a secret put in a body by mistake is found."""
    leaky = EntityRecord(kind="proxy", key="p", parent=None, body={"pw": kit.secret_values[1]})
    data = kit.build(records=[leaky])

    found = [
        where for where, content in _views(data).items() if kit.secret_values[1].encode() in content
    ]

    assert found == ["config.jsonl", "config.jsonl (inflated by hand)"]


@pytest.mark.parametrize("size", [1, 1000, 100_000])
def test_secret_plaintext_is_absent_at_any_size(kit, size: int) -> None:
    """Secrets spanning several encrypted chunks leave no plaintext run in the archive."""
    secret = ("S3cr3t!" * (size // 7 + 1))[:size] + "-end-of-secret"
    record = EntityRecord(
        kind="user", key="u", parent=None, body={}, secret={"passwordHash": secret}
    )

    data = kit.build(records=[record])

    for where, content in _views(data).items():
        assert secret[-14:].encode() not in content, where
        assert size < 8 or secret[:8].encode() not in content, where
    assert list(kit.open(data).records()) == [record]


def test_manifest_holds_no_secret_material(kit, archive) -> None:
    """The readable manifest carries counts and parameters only: no key, no secret, no password."""
    manifest = kit.members(archive)[MANIFEST_MEMBER]
    keys = kit.keys(archive)

    assert keys.encryption_key.hex().encode() not in manifest
    assert keys.mac_key.hex().encode() not in manifest
    for value in (*kit.secret_values, kit.password):
        assert value.encode() not in manifest

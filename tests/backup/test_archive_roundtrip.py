"""Writing an archive and reading it back: everything round-trips, in one streaming pass."""

from __future__ import annotations

import io
import json
import os
import tempfile
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openscc.backup import kdf
from openscc.backup.archive import inspect_archive, write_archive
from openscc.backup.crypto import NONCE_PREFIX_BYTES, TAG_BYTES
from openscc.backup.lines import member_lines
from openscc.backup.manifest import FORMAT_VERSION
from openscc.errors import CorruptArchive, InvalidRequest
from openscc.store.records import EntityRecord
from support.archives import open_checked

MIB = 1024 * 1024


def test_records_secrets_and_files_round_trip(kit, archive) -> None:
    """Every record comes back in order, with its secret joined back, and every file."""
    opened = kit.open(archive)

    assert list(opened.records()) == kit.sample_records()
    assert opened.files == kit.sample_files


def test_manifest_describes_the_archive(kit) -> None:
    """The manifest records versions, instance, time, counts per kind and every member."""
    dst = io.BytesIO()

    manifest = write_archive(
        dst,
        records=kit.sample_records(),
        files=kit.sample_files,
        password=kit.password,
        kdf=kdf.test_kdf(),
        product_version="0.1.0",
        scc_api_version="2.19.0.2",
        source_instance="instance-1",
        created_at_ms=1_700_000_000_123,
    )

    assert manifest.format_version == FORMAT_VERSION
    assert manifest.product == "openscc"
    assert (manifest.product_version, manifest.scc_api_version) == ("0.1.0", "2.19.0.2")
    assert (manifest.source_instance, manifest.created_at) == ("instance-1", 1_700_000_000_123)
    assert manifest.counts == {
        "connector": 1,
        "subaccount": 1,
        "systemMapping": 1,
        "resource": 1,
        "proxy": 1,
        "user": 1,
        "uiCertificate": 1,
    }
    assert manifest.secret_counts == {
        "connector": 1,
        "subaccount": 1,
        "proxy": 1,
        "user": 1,
        "uiCertificate": 1,
    }
    assert set(manifest.members) == {"config.jsonl", "secrets.jsonl.enc", "files/props.ini"}
    assert kit.open(dst.getvalue()).manifest == manifest
    assert inspect_archive(io.BytesIO(dst.getvalue())) == manifest


def test_members_layout(kit, archive) -> None:
    """Manifest and MAC come last; config and files are deflated; the ciphertext is stored."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        methods = {info.filename: info.compress_type for info in zf.infolist()}

    assert list(methods)[-2:] == ["manifest.json", "manifest.mac"]
    assert methods == {
        "config.jsonl": zipfile.ZIP_DEFLATED,
        "secrets.jsonl.enc": zipfile.ZIP_STORED,
        "files/props.ini": zipfile.ZIP_DEFLATED,
        "manifest.json": zipfile.ZIP_STORED,
        "manifest.mac": zipfile.ZIP_STORED,
    }


def test_zip_timestamps_come_from_the_manifest_not_the_clock(kit) -> None:
    """Member times are created_at in UTC, so equal inputs give equal ZIP metadata."""
    data = kit.build(created_at_ms=1_700_000_000_000)  # 2023-11-14 22:13:20 UTC

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        times = {info.date_time for info in zf.infolist()}

    assert times == {(2023, 11, 14, 22, 13, 20)}


def test_empty_configuration_round_trips(kit) -> None:
    """No records and no files still make a valid archive with an empty encrypted stream."""
    data = kit.build(records=[], files={})

    opened = kit.open(data)

    assert list(opened.records()) == []
    assert opened.files == {}
    assert opened.manifest.counts == {}
    assert opened.manifest.members["secrets.jsonl.enc"].size == NONCE_PREFIX_BYTES + TAG_BYTES


def test_records_can_be_read_twice(kit, archive) -> None:
    """iter_records re-reads the archive each time; it is not a one-shot iterator."""
    opened = kit.open(archive)

    assert list(opened.records()) == list(opened.records())


_TEXT = st.text(st.characters(exclude_categories=[]), max_size=12)  # any code point, surrogates too
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
    max_leaves=8,
)
_RECORD = st.builds(
    EntityRecord,
    kind=st.text(min_size=1, max_size=8),
    key=_TEXT,
    parent=st.none() | _TEXT,
    body=st.dictionaries(_TEXT, _JSON, max_size=3),
    secret=st.none() | st.dictionaries(_TEXT, _JSON, max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(_RECORD, max_size=8, unique_by=lambda r: (r.kind, r.key)),
    password=st.text(min_size=1, max_size=10),
)
def test_any_records_round_trip(kit, records: list[EntityRecord], password: str) -> None:
    """Property: any JSON records (any unicode, any nesting) and password round-trip exactly."""
    data = kit.build(records=records, password=password)

    opened = kit.open(data, password=password)

    assert list(opened.records()) == records


@pytest.mark.volume
def test_50000_records_stream_through(kit) -> None:
    """The writer consumes a one-shot generator as it writes, and the reader stays small."""
    total = 50_000
    grew_while_writing: list[int] = []

    def records(dst: io.BufferedRandom) -> Iterator[EntityRecord]:
        for i in range(total):
            if i == total - 1:
                grew_while_writing.append(dst.tell())
            yield EntityRecord(
                kind=("user", "systemMapping", "resource")[i % 3],
                key=f"key-{i}",
                parent=None if i % 3 == 0 else f"key-{i - 1}",
                body={"description": f"entity {i} " + "x" * (i % 50), "port": i},
                secret={"password": f"pw-{i}"} if i % 2 else None,
            )

    with tempfile.TemporaryFile() as dst:
        manifest = write_archive(
            dst,
            records=records(dst),
            files={},
            password=kit.password,
            kdf=kdf.test_kdf(),
            product_version="0.1.0",
            scc_api_version="2.19.0.2",
            source_instance="instance-1",
            created_at_ms=0,
        )
        opened = kit.open(_read_all(dst))
        tracemalloc.start()
        try:
            count, last = 0, None
            # Without the duplicate check's digest of every key (a database's primary key does it
            # for a restore), reading holds one record at a time.
            for record in opened.records(check_unique=False):
                count += 1
                last = record
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert count == total
    assert last is not None
    assert last.secret == {"password": f"pw-{total - 1}"}
    assert manifest.counts == {"user": 16_667, "systemMapping": 16_667, "resource": 16_666}
    assert manifest.secret_counts == {"user": 8_333, "systemMapping": 8_334, "resource": 8_333}
    # The config was already being compressed into the archive before the last record came.
    assert grew_while_writing[0] > 256 * 1024
    assert manifest.members["config.jsonl"].size > 5 * MIB
    assert peak < 2 * MIB


def _read_all(dst: io.BufferedRandom) -> bytes:
    dst.seek(0)
    return dst.read()


def _open_then_swap(kit, data: bytes, changed: bytes):
    src = io.BytesIO(data)
    opened = open_checked(src, password=kit.password, product_version=kit.product_version)
    src.seek(0)
    src.truncate()
    src.write(changed)
    return opened


def test_files_are_verified_when_the_archive_is_opened(kit, archive) -> None:
    """The instance files are read and checked once, when the archive is opened: a later change
    of the source cannot change what the reader hands out."""
    original = kit.open(archive).files
    changed = kit.rebuild(archive, replace={"files/props.ini": b"port=1\n"})

    opened = _open_then_swap(kit, archive, changed)

    assert opened.files == original


def test_config_changed_after_verification_is_caught_on_reading(kit, archive) -> None:
    """A config.jsonl swapped after the archive was opened fails the check at the end of
    records()."""
    config = kit.members(archive)["config.jsonl"]
    changed = kit.rebuild(archive, replace={"config.jsonl": config.replace(b"3128", b"3129")})
    assert changed != archive

    opened = _open_then_swap(kit, archive, changed)

    with pytest.raises(CorruptArchive, match=r"config.jsonl changed"):
        list(opened.records())


def test_writer_refuses_an_empty_password(kit) -> None:
    """An archive is never sealed under an empty password."""
    with pytest.raises(InvalidRequest, match="password"):
        kit.build(password="")


@pytest.mark.parametrize("name", ["../props.ini", "a/b", ".hidden", "", "x\\y"])
def test_writer_refuses_file_names_that_are_not_simple(kit, name: str) -> None:
    """files/ members have simple names only, checked before anything is written."""
    with pytest.raises(ValueError, match="simple file name"):
        kit.build(files={name: b"x"})


def test_writer_refuses_duplicate_records(kit) -> None:
    """Two records with one kind and key would make an archive no reader accepts."""
    record = EntityRecord(kind="user", key="a", parent=None, body={})

    with pytest.raises(ValueError, match="duplicate"):
        kit.build(records=[record, record])


@pytest.mark.parametrize(
    "record",
    [
        EntityRecord(kind="", key="a", parent=None, body={}),
        EntityRecord(kind="user", key=1, parent=None, body={}),  # type: ignore[arg-type]
        EntityRecord(kind="user", key="a", parent=2, body={}),  # type: ignore[arg-type]
        EntityRecord(kind="user", key="a", parent=None, body=[]),  # type: ignore[arg-type]
        EntityRecord(kind="user", key="a", parent=None, body={}, secret="pw"),  # type: ignore[arg-type]
    ],
    ids=["empty-kind", "int-key", "int-parent", "list-body", "str-secret"],
)
def test_writer_refuses_malformed_records(kit, record: EntityRecord) -> None:
    """Only records the reader would accept are written."""
    with pytest.raises((TypeError, ValueError), match=r"^record"):
        kit.build(records=[record])


@pytest.mark.parametrize(
    "change",
    [{"product_version": "latest"}, {"source_instance": ""}, {"scc_api_version": "x" * 300}],
    ids=["version-not-dotted", "empty-instance", "long-api-version"],
)
def test_writer_refuses_a_manifest_it_could_not_read(kit, change: dict[str, str]) -> None:
    """The writer reads its own manifest back before sealing it."""
    with pytest.raises(ValueError, match="cannot write this manifest"):
        kit.build(**change)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "archives"


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("format-*.zip")), ids=lambda p: p.name)
def test_committed_fixture_archives_still_open(kit, fixture: Path) -> None:
    """Archives written by released formats keep passing every check of this reader."""
    with fixture.open("rb") as src:
        opened = open_checked(src, password="fixture-password", product_version=kit.product_version)
        records = list(opened.records())

        assert opened.manifest.format_version <= FORMAT_VERSION
        assert len(records) == sum(opened.manifest.counts.values())
        assert all(record.kind and isinstance(record.body, dict) for record in records)


@settings(max_examples=100)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20),
    cuts=st.lists(st.integers(1, 50), min_size=1, max_size=10),
)
def test_line_splitting_does_not_depend_on_chunking(lines: list[bytes], cuts: list[int]) -> None:
    """Property: splitting a stream into lines gives the same lines whatever the chunk sizes."""
    content = b"".join(line + b"\n" for line in lines)
    chunks, position, index = [], 0, 0
    while position < len(content):
        size = cuts[index % len(cuts)]
        chunks.append(content[position : position + size])
        position, index = position + size, index + 1

    assert list(member_lines(iter(chunks), "config.jsonl")) == lines


def test_records_keep_their_bodys_text_from_the_line(kit, archive) -> None:
    """A record read from a canonical line (the writer's form, ASCII as the writer escapes
    nothing else) keeps the body's text, which the store keeps as it is, with no second
    encoding; that text is exactly the body. A line with escaped non-ASCII text is parsed
    strictly instead, and its body is encoded when stored."""
    records = list(kit.open(archive).records())

    assert any(r.known_body_json is not None for r in records)
    for record in records:
        ascii_body = json.dumps(record.body, ensure_ascii=False).isascii()
        assert (record.known_body_json is not None) == ascii_body, record
        if record.known_body_json is not None:
            assert json.loads(record.known_body_json) == record.body


def test_a_line_in_another_form_still_reads_but_keeps_no_text(kit, archive) -> None:
    """A valid line written otherwise (spaces, another key order) is read as well; its body is
    then encoded again when stored, never cut out of a line of unknown form."""
    config = kit.members(archive)["config.jsonl"]
    lines = []
    for line in config.splitlines():
        data = json.loads(line)
        lines.append(json.dumps({"body": data["body"], **data}, separators=(", ", ": ")))
    changed = kit.rebuild(
        archive, replace={"config.jsonl": ("\n".join(lines) + "\n").encode()}, resign=True
    )

    records = list(kit.open(changed).records())

    assert records == list(kit.open(archive).records())
    assert all(record.known_body_json is None for record in records)


@pytest.mark.volume
def test_a_config_larger_than_64_mib_round_trips(kit) -> None:
    """A configuration beyond about 110,000 resources (a config.jsonl over 64 MiB, the cap of
    earlier versions) is written and read back: the caps leave room for well over a million."""
    text = os.urandom(33 * MIB).hex()  # 66 MiB that deflate cannot shrink past the ratio cap
    big = EntityRecord(kind="connector", key="main", parent=None, body={"description": text})
    records = [big, *kit.sample_records()[1:]]

    data = kit.build(records=records)
    read = list(kit.open(data).records())

    assert read[0].body["description"] == big.body["description"]
    assert len(read) == len(records)

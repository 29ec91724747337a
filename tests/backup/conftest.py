"""Fixtures for the backup archive tests: sample records, and a kit to build and tamper archives."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import io
import json
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("openscc") is None:  # running from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from openscc.backup import kdf
from openscc.backup.archive import DEFAULT_LIMITS, ArchiveLimits, ArchiveReader, write_archive
from openscc.backup.manifest import MAC_MEMBER, MANIFEST_MEMBER
from openscc.errors import BackupError, error_from_response
from openscc.store.records import EntityRecord
from support.archives import open_checked

PASSWORD = "correct horse battery staple \u2713"
PRODUCT_VERSION = "0.1.0"
FIXED_SALT = bytes(range(16))

# Distinctive secret values: a scan of the archive bytes must never find them.
SECRET_VALUES = (
    "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-subaccount-key",
    "proxy-password-Zq8#kL2!",
    "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$user-password-hash",
    "instance-signing-secret-7f3a9c",
    "ui-private-key-\u00fcml\u00e4ut-\u65e5\u672c",
)


def sample_records() -> list[EntityRecord]:
    """A small configuration with every shape of record: parents, secrets, unicode, empty body."""
    return [
        EntityRecord(
            kind="connector",
            key="main",
            parent=None,
            body={"description": "Caf\u00e9 connector \u2603", "haRole": "master"},
            secret={"signingSecret": SECRET_VALUES[3]},
        ),
        EntityRecord(
            kind="subaccount",
            key="eu10/sub-1",
            parent=None,
            body={"regionHost": "cf.eu10.hana.ondemand.com", "subaccount": "sub-1"},
            secret={"privateKey": SECRET_VALUES[0]},
        ),
        EntityRecord(
            kind="systemMapping",
            key="eu10/sub-1/virtual:443",
            parent="eu10/sub-1",
            body={"virtualHost": "virtual", "virtualPort": "443", "ports": [1, 2.5, None, True]},
        ),
        EntityRecord(kind="resource", key="/", parent="eu10/sub-1/virtual:443", body={}),
        EntityRecord(
            kind="proxy",
            key="https",
            parent=None,
            body={"host": "proxy.local", "port": 3128, "user": "u"},
            secret={"password": SECRET_VALUES[1]},
        ),
        EntityRecord(
            kind="user",
            key="Administrator",
            parent=None,
            body={"roles": ["admin"], "nested": {"deep": {"er": ["\u00e9", "\U0001f600"]}}},
            secret={"passwordHash": SECRET_VALUES[2]},
        ),
        EntityRecord(
            kind="uiCertificate",
            key="default",
            parent=None,
            body={"subjectDN": "CN=\u65e5\u672c"},
            secret={"privateKey": SECRET_VALUES[4]},
        ),
    ]


SAMPLE_FILES = {"props.ini": b"[instance]\nport=8443\n"}


class ArchiveKit:
    """Builds valid archives and takes them apart, so tests can make any hostile variant."""

    password = PASSWORD
    product_version = PRODUCT_VERSION
    fixed_salt = FIXED_SALT
    secret_values = SECRET_VALUES
    sample_files = SAMPLE_FILES

    def sample_records(self) -> list[EntityRecord]:
        """A fresh copy of the sample configuration."""
        return sample_records()

    def build(
        self,
        records: Iterable[EntityRecord] | None = None,
        files: Mapping[str, bytes] | None = None,
        **overrides: Any,
    ) -> bytes:
        """A valid archive made with the weak test KDF."""
        arguments: dict[str, Any] = {
            "password": PASSWORD,
            "kdf": kdf.test_kdf(),
            "product_version": PRODUCT_VERSION,
            "scc_api_version": "2.19.0.2",
            "source_instance": "instance-1",
            "created_at_ms": 1_700_000_000_000,
        }
        arguments.update(overrides)
        dst = io.BytesIO()
        write_archive(
            dst,
            records=sample_records() if records is None else records,
            files=SAMPLE_FILES if files is None else files,
            **arguments,
        )
        return dst.getvalue()

    def open(
        self,
        data: bytes,
        *,
        password: str = PASSWORD,
        product_version: str = PRODUCT_VERSION,
        limits: ArchiveLimits = DEFAULT_LIMITS,
    ) -> ArchiveReader:
        """The archive on bytes, every record read and checked (as before a restore)."""
        return open_checked(
            io.BytesIO(data), password=password, product_version=product_version, limits=limits
        )

    def members(self, data: bytes) -> dict[str, bytes]:
        """Every member's uncompressed bytes, in archive order."""
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {info.filename: zf.read(info) for info in zf.infolist()}

    def zip_of(self, entries: Iterable[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
        """A ZIP of the given entries, as written (duplicates allowed)."""
        out = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicate names are the point of some tests
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, content in entries:
                    zf.writestr(name, content)
        return out.getvalue()

    def rebuild(
        self,
        data: bytes,
        *,
        replace: Mapping[str, bytes] | None = None,
        drop: Iterable[str] = (),
        add: Mapping[str, bytes] | None = None,
        edit_manifest: Callable[[dict[str, Any]], None] | None = None,
        resign: bool = False,
    ) -> bytes:
        """Rewrite an archive with members replaced, dropped or added.

        With ``resign``, the manifest's member digests are recomputed and the MAC is made with the
        right password: an archive a holder of the password could make, to test the inner checks.
        """
        members = self.members(data)
        members.update(replace or {})
        for name in drop:
            members.pop(name)
        members.update(add or {})
        if not resign and edit_manifest is None:
            return self.zip_of(members.items())
        manifest = json.loads(members[MANIFEST_MEMBER])
        if resign:
            for name in list(manifest["members"]):
                if name in members:
                    content = members[name]
                    manifest["members"][name] = {
                        "size": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                    }
        if edit_manifest is not None:
            edit_manifest(manifest)
        members[MANIFEST_MEMBER] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        if resign:
            params = kdf.KdfParams(
                name=manifest["kdf"]["name"],
                memory_kib=manifest["kdf"]["memory_kib"],
                iterations=manifest["kdf"]["iterations"],
                parallelism=manifest["kdf"]["parallelism"],
                salt=bytes.fromhex(manifest["kdf"]["salt"]),
            )
            keys = kdf.derive_keys(PASSWORD, params)
            mac = hmac.new(keys.mac_key, members[MANIFEST_MEMBER], hashlib.sha256).hexdigest()
            members[MAC_MEMBER] = mac.encode()
        return self.zip_of(members.items())

    def keys(self, data: bytes) -> kdf.ArchiveKeys:
        """The keys of an archive made with PASSWORD."""
        manifest = json.loads(self.members(data)[MANIFEST_MEMBER])
        params = kdf.KdfParams(
            name="argon2id",
            memory_kib=manifest["kdf"]["memory_kib"],
            iterations=manifest["kdf"]["iterations"],
            parallelism=manifest["kdf"]["parallelism"],
            salt=bytes.fromhex(manifest["kdf"]["salt"]),
        )
        return kdf.derive_keys(PASSWORD, params)

    def data_offset(self, data: bytes, name: str) -> int:
        """Where a member's (compressed) data starts in the archive bytes."""
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo(name)
        header = data[info.header_offset : info.header_offset + 30]
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_length + extra_length

    def central_entry(self, data: bytes, name: str) -> int:
        """Offset of a member's central directory record."""
        position = data.rfind(b"PK\x05\x06")
        (cd_offset,) = struct.unpack("<I", data[position + 16 : position + 20])
        while data[cd_offset : cd_offset + 4] == b"PK\x01\x02":
            name_length, extra_length, comment_length = struct.unpack(
                "<HHH", data[cd_offset + 28 : cd_offset + 34]
            )
            entry_name = data[cd_offset + 46 : cd_offset + 46 + name_length].decode()
            if entry_name == name:
                return cd_offset
            cd_offset += 46 + name_length + extra_length + comment_length
        raise KeyError(name)

    def patch(self, data: bytes, offset: int, fmt: str, value: int) -> bytes:
        """Overwrite a little-endian field at ``offset``."""
        raw = bytearray(data)
        struct.pack_into(fmt, raw, offset, value)
        return bytes(raw)


@pytest.fixture(scope="session")
def kit() -> ArchiveKit:
    return ArchiveKit()


@pytest.fixture(scope="session")
def archive(kit: ArchiveKit) -> bytes:
    """One valid sample archive, shared (tests never mutate bytes in place)."""
    return kit.build()


def assert_backup_error(error: BaseException, expected: type[BackupError]) -> None:
    """The error has the expected class, and a client reading the server's answer for it gets
    that class back (by its message's prefix: every backup error shares 400 INVALID_REQUEST)."""
    assert type(error) is expected, f"{type(error).__name__}: {error}"
    assert isinstance(error, BackupError)
    rebuilt = error_from_response(error.status, error.to_body())
    assert type(rebuilt) is expected, str(error)
    assert rebuilt.message == error.message


@pytest.fixture(scope="session")
def check_error() -> Callable[[BaseException, type[BackupError]], None]:
    return assert_backup_error

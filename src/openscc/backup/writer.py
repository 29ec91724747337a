"""Writing a backup archive: one pass over the records, straight into a seekable ZIP file.

The writer refuses what the reader (archive.py) would refuse, so it never writes an unreadable
archive. See docs/backup-format.md.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import IO, Any, BinaryIO

from openscc.backup.crypto import NONCE_PREFIX_BYTES, StreamEncryptor, member_aad
from openscc.backup.kdf import KdfParams, derive_keys
from openscc.backup.manifest import (
    CONFIG_MEMBER,
    FILES_PREFIX,
    FORMAT_VERSION,
    MAC_MEMBER,
    MANIFEST_MEMBER,
    PRODUCT,
    SECRETS_MEMBER,
    Manifest,
    MemberDigest,
    is_file_name,
)
from openscc.backup.members import READ_BYTES, Digest, config_line_head, first_sight, manifest_mac
from openscc.errors import BackupError, InvalidRequest
from openscc.store.records import EntityRecord

_REGULAR_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
# ASCII escapes keep every str (lone surrogates too) round-tripping exactly.
# zlib's default (6): small archives at a moderate cost. Safety backups choose a faster level.
DEFAULT_COMPRESS_LEVEL = 6
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def write_archive(
    dst: BinaryIO,
    *,
    records: Iterable[EntityRecord],
    files: Mapping[str, bytes],
    password: str,
    kdf: KdfParams,
    product_version: str,
    scc_api_version: str,
    source_instance: str,
    created_at_ms: int,
    keys_unique: bool = False,
    compress_level: int = DEFAULT_COMPRESS_LEVEL,
) -> Manifest:
    """Write a complete archive to the seekable ``dst``, iterating ``records`` once; the manifest.

    A record read from the store carries its body as the stored JSON text, which is copied into
    the archive where it already has the archive's form. ``keys_unique=True`` says the caller
    guarantees no (kind, key) pair repeats (a store snapshot: its primary key is (kind, key)), and
    skips the duplicate check that otherwise refuses to write such an archive.
    """
    if not password:
        raise InvalidRequest("password must not be empty")
    for name in files:
        if not is_file_name(name):
            raise ValueError(f"not a simple file name: {name!r}")
    keys = derive_keys(password, kdf)
    date_time = _zip_date_time(created_at_ms)
    counts: Counter[str] = Counter()
    secret_counts: Counter[str] = Counter()
    seen: set[bytes] = set()
    members: dict[str, MemberDigest] = {}
    encryptor = StreamEncryptor(
        keys.encryption_key,
        aad=member_aad(SECRETS_MEMBER, FORMAT_VERSION),
        nonce_prefix=os.urandom(NONCE_PREFIX_BYTES),
    )
    with zipfile.ZipFile(dst, "w") as zf, tempfile.TemporaryFile() as sealed:
        # ZipFile takes one member at a time, so the ciphertext waits in a temporary file while
        # config.jsonl streams straight into the archive.
        sealed_digest = Digest()
        config_digest = Digest()
        with zf.open(
            _zip_info(CONFIG_MEMBER, date_time, zipfile.ZIP_DEFLATED, compress_level), "w"
        ) as config:
            pending = bytearray()  # one write per 64 KiB, not per line: far fewer deflate calls
            for record in records:
                body_json = record.known_body_json
                if body_json is None:
                    _check_record(record)
                else:
                    _check_record_fields(record)
                if not keys_unique and not first_sight(seen, record.kind, record.key):
                    raise ValueError(f"duplicate record {record.kind!r:.60}/{record.key!r:.60}")
                pending += _config_line(record, body_json)
                counts[record.kind] += 1
                if record.secret is not None:
                    secret_line = _dump_line(
                        {"kind": record.kind, "key": record.key, "secret": record.secret}
                    )
                    _write_through(sealed, sealed_digest, encryptor.update(secret_line))
                    secret_counts[record.kind] += 1
                if len(pending) >= READ_BYTES:
                    _write_through(config, config_digest, bytes(pending))
                    pending.clear()
            _write_through(config, config_digest, bytes(pending))
        members[CONFIG_MEMBER] = config_digest.result()
        _write_through(sealed, sealed_digest, encryptor.finalize())
        sealed.seek(0)
        with zf.open(_zip_info(SECRETS_MEMBER, date_time, zipfile.ZIP_STORED), "w") as out:
            shutil.copyfileobj(sealed, out, READ_BYTES)
        members[SECRETS_MEMBER] = sealed_digest.result()
        for name in sorted(files):
            content = bytes(files[name])
            zf.writestr(_zip_info(FILES_PREFIX + name, date_time, zipfile.ZIP_DEFLATED), content)
            members[FILES_PREFIX + name] = Digest(content).result()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            product=PRODUCT,
            product_version=product_version,
            scc_api_version=scc_api_version,
            created_at=created_at_ms,
            source_instance=source_instance,
            counts=dict(counts),
            secret_counts=dict(secret_counts),
            members=members,
            kdf=kdf,
            key_check=keys.key_check,
        )
        raw_manifest = manifest.to_json()
        _check_readable(raw_manifest, manifest)
        zf.writestr(_zip_info(MANIFEST_MEMBER, date_time, zipfile.ZIP_STORED), raw_manifest)
        mac = manifest_mac(keys.mac_key, raw_manifest).encode("ascii")
        zf.writestr(_zip_info(MAC_MEMBER, date_time, zipfile.ZIP_STORED), mac)
    return manifest


def _check_record(record: EntityRecord) -> None:
    _check_record_fields(record)
    if not isinstance(record.body, dict):
        raise TypeError(f"record body must be a dict: {record.kind}/{record.key}")


def _check_record_fields(record: EntityRecord) -> None:
    """Every check of ``_check_record`` but the body's (a stored body is a dict's JSON text)."""
    if not isinstance(record.kind, str) or not isinstance(record.key, str):
        raise TypeError(f"record kind and key must be strings: {record.kind!r}/{record.key!r}")
    if not record.kind:
        raise ValueError(f"record kind must not be empty: {record.key!r}")
    if record.parent is not None and not isinstance(record.parent, str):
        raise TypeError(f"record parent must be a string or None: {record.kind}/{record.key}")
    if record.secret is not None and not isinstance(record.secret, dict):
        raise TypeError(f"record secret must be a dict or None: {record.kind}/{record.key}")


def _check_readable(raw_manifest: bytes, manifest: Manifest) -> None:
    # Never write an archive this reader would refuse (bad versions, names, oversized text).
    try:
        parsed = Manifest.from_json(raw_manifest)
    except BackupError as exc:
        raise ValueError(f"cannot write this manifest: {exc.message}") from None
    if parsed != manifest:
        raise ValueError("cannot write this manifest: it does not read back the same")


def _dump_line(value: dict[str, Any]) -> bytes:
    return (_LINE_ENCODER.encode(value) + "\n").encode("ascii")


def _config_line(record: EntityRecord, body_json: str | None) -> bytes:
    """The config.jsonl line of a record: ``_dump_line`` of its kind, key, parent and body.

    A body given as stored JSON text (``body_json``) is copied into the line when it is already
    what ``_LINE_ENCODER`` would write for it: a JSON object in compact form with only printable
    ASCII and no NaN or Infinity. ``ensure_ascii`` escapes nothing else differently, so the line is
    the same bytes as encoding the parsed body; any other text is parsed and encoded as before.
    """
    if body_json is None:
        body = record.body
    elif _is_copyable(body_json):
        head = config_line_head(record.kind, record.key, record.parent)
        return head + body_json.encode("ascii") + b"}\n"
    else:
        body = json.loads(body_json)
        if not isinstance(body, dict):
            raise TypeError(f"record body must be a dict: {record.kind}/{record.key}")
    return _dump_line(
        {"kind": record.kind, "key": record.key, "parent": record.parent, "body": body}
    )


def _is_copyable(body_json: str) -> bool:
    return (
        body_json[:1] == "{"
        and body_json[-1:] == "}"
        and body_json.isascii()
        and "\x7f" not in body_json
        and "NaN" not in body_json
        and "Infinity" not in body_json
    )


def _write_through(sink: IO[bytes], digest: Digest, data: bytes) -> None:
    sink.write(data)
    digest.update(data)


def _zip_info(
    name: str,
    date_time: tuple[int, int, int, int, int, int],
    method: int,
    level: int = DEFAULT_COMPRESS_LEVEL,
) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = method
    # The member's deflate level (zipfile's attribute; Python 3.13 also names it compress_level).
    info._compresslevel = level  # type: ignore[attr-defined]
    info.external_attr = _REGULAR_FILE_ATTR
    return info


def _zip_date_time(created_at_ms: int) -> tuple[int, int, int, int, int, int]:
    # Derived from the manifest's time, never the clock, so equal inputs give equal archives.
    if created_at_ms < 315532800000:  # ZIP cannot express times before 1980
        return (1980, 1, 1, 0, 0, 0)
    year, month, day, hour, minute, second = time.gmtime(created_at_ms // 1000)[:6]
    if year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (year, month, day, hour, minute, second)

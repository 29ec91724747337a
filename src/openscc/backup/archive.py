"""Backup archives as ZIP files: written in one pass, and checked completely before anything is used.

Every upload is hostile. ``open_archive`` checks the container (size, names, member count, declared
sizes, compression ratio, layout), then the manifest, the password, the manifest's MAC, every
member's size and SHA-256, every tag of the encrypted member and every line of content, and only
then returns. Any failure is a ``BackupError`` subclass; no other exception escapes. Nothing is
ever extracted onto the filesystem. See docs/backup-format.md.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import stat
import struct
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from openscc.backup.crypto import (
    CHUNK_BYTES,
    NONCE_PREFIX_BYTES,
    StreamDecryptor,
    StreamEncryptor,
    member_aad,
)
from openscc.backup.kdf import ArchiveKeys, KdfParams, check_kdf_params, derive_keys
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
    parse_json,
)
from openscc.errors import (
    BackupError,
    CorruptArchive,
    InvalidRequest,
    NotABackup,
    UnsafeArchive,
    WrongPassword,
)
from openscc.snapshot import EntityRecord

_MIB = 1024 * 1024
_READ_BYTES = CHUNK_BYTES
_MAC_HEX_CHARS = 64
_LOCAL_HEADER_BYTES = 30  # fixed part of a ZIP local file header
_END_RECORD_SIGNATURE = b"PK\x05\x06"
_END_RECORD_BYTES = 22
_MAX_ZIP_COMMENT_BYTES = 0xFFFF
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_BYTES = 20
# A directory entry is 46 bytes plus its name (at most 255 here) and extra field: 1 KiB is ample.
_MAX_DIRECTORY_ENTRY_BYTES = 1024
_MAX_NAME_CHARS = 255
_REGULAR_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
_DOS_DIRECTORY = 0x10
_ENCRYPTED_FLAG = 0x1
_UTF8_FLAG = 0x800
_CONFIG_FIELDS = frozenset({"kind", "key", "parent", "body"})
_SECRET_FIELDS = frozenset({"kind", "key", "secret"})
# ASCII escapes keep every str (lone surrogates too) round-tripping exactly.
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)
_ENCODE_ASCII = json.encoder.encode_basestring_ascii


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveLimits:
    """Caps applied to an uploaded archive before any member is read."""

    # A configuration backup is kilobytes to a few megabytes; these leave a wide margin.
    max_archive_bytes: int = 64 * _MIB
    max_members: int = 64
    max_member_bytes: int = 64 * _MIB  # uncompressed, as declared in the central directory
    max_total_bytes: int = 128 * _MIB  # uncompressed, all members together
    # JSON lines compress about 5-20x; deflate's ceiling is about 1032x.
    max_ratio: int = 100
    # Smaller members may compress better than max_ratio; their size cap already bounds them.
    ratio_min_bytes: int = 1 * _MIB
    max_manifest_bytes: int = 1 * _MIB


DEFAULT_LIMITS = ArchiveLimits()


# --- writing -------------------------------------------------------------------------------------


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
) -> Manifest:
    """Write a complete archive to the seekable ``dst``, iterating ``records`` once; the manifest.

    A record may also carry its body as stored JSON text (``body_json``, as
    ``EntityStore.iter_stored`` gives it) instead of ``body``. ``keys_unique=True`` says the caller
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
        sealed_digest = _Digest()
        config_digest = _Digest()
        with zf.open(_zip_info(CONFIG_MEMBER, date_time, zipfile.ZIP_DEFLATED), "w") as config:
            pending = bytearray()  # one write per 64 KiB, not per line: far fewer deflate calls
            for record in records:
                body_json = getattr(record, "body_json", None)
                if body_json is None:
                    _check_record(record)
                else:
                    _check_record_fields(record)
                if not keys_unique and not _first_sight(seen, record.kind, record.key):
                    raise ValueError(f"duplicate record {record.kind!r:.60}/{record.key!r:.60}")
                pending += _config_line(record, body_json)
                counts[record.kind] += 1
                if record.secret is not None:
                    secret_line = _dump_line(
                        {"kind": record.kind, "key": record.key, "secret": record.secret}
                    )
                    _write_through(sealed, sealed_digest, encryptor.update(secret_line))
                    secret_counts[record.kind] += 1
                if len(pending) >= _READ_BYTES:
                    _write_through(config, config_digest, bytes(pending))
                    pending.clear()
            _write_through(config, config_digest, bytes(pending))
        members[CONFIG_MEMBER] = config_digest.result()
        _write_through(sealed, sealed_digest, encryptor.finalize())
        sealed.seek(0)
        with zf.open(_zip_info(SECRETS_MEMBER, date_time, zipfile.ZIP_STORED), "w") as out:
            shutil.copyfileobj(sealed, out, _READ_BYTES)
        members[SECRETS_MEMBER] = sealed_digest.result()
        for name in sorted(files):
            content = bytes(files[name])
            zf.writestr(_zip_info(FILES_PREFIX + name, date_time, zipfile.ZIP_DEFLATED), content)
            members[FILES_PREFIX + name] = _Digest(content).result()
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
        mac = _manifest_mac(keys.mac_key, raw_manifest).encode("ascii")
        zf.writestr(_zip_info(MAC_MEMBER, date_time, zipfile.ZIP_STORED), mac)
    return manifest


def _check_record(record: EntityRecord) -> None:
    _check_record_fields(record)
    if not isinstance(record.body, dict):
        raise TypeError(f"record body must be a dict: {record.kind}/{record.key}")


def _check_record_fields(record: Any) -> None:
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


def _config_line(record: Any, body_json: str | None) -> bytes:
    """The config.jsonl line of a record: ``_dump_line`` of its kind, key, parent and body.

    A body given as stored JSON text (``body_json``) is copied into the line when it is already
    what ``_LINE_ENCODER`` would write for it: a JSON object in compact form with only printable
    ASCII and no NaN or Infinity. ``ensure_ascii`` escapes nothing else differently, so the line is
    the same bytes as encoding the parsed body; any other text is parsed and encoded as before.
    """
    if body_json is None:
        body = record.body
    elif _is_copyable(body_json):
        head = '{"kind":' + _quote(record.kind) + ',"key":' + _quote(record.key) + ',"parent":'
        parent = "null" if record.parent is None else _quote(record.parent)
        return (head + parent + ',"body":' + body_json + "}\n").encode("ascii")
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


def _quote(text: str) -> str:
    # What _LINE_ENCODER writes for a str (ensure_ascii: every str, lone surrogates too).
    return _ENCODE_ASCII(text)


def _write_through(sink: IO[bytes], digest: _Digest, data: bytes) -> None:
    sink.write(data)
    digest.update(data)


def _zip_info(
    name: str, date_time: tuple[int, int, int, int, int, int], method: int
) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = method
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


def _manifest_mac(mac_key: bytes, raw_manifest: bytes) -> str:
    return hmac.new(mac_key, raw_manifest, hashlib.sha256).hexdigest()


class _Digest:
    """Size and SHA-256 of bytes seen so far."""

    __slots__ = ("_hash", "_size")

    def __init__(self, data: bytes = b"") -> None:
        self._hash = hashlib.sha256(data)
        self._size = len(data)

    def update(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)

    def result(self) -> MemberDigest:
        return MemberDigest(size=self._size, sha256=self._hash.hexdigest())


def _first_sight(seen: set[bytes], kind: str, key: str) -> bool:
    """Record (kind, key) in ``seen``; False if it was there already."""
    # 16-byte digests keep the set small (about 90 bytes per record) whatever the key lengths;
    # the length prefix keeps ("ab", "c") and ("a", "bc") apart.
    kind_bytes = kind.encode("utf-8", "surrogatepass")
    identity = hashlib.blake2b(
        len(kind_bytes).to_bytes(8, "big") + kind_bytes + key.encode("utf-8", "surrogatepass"),
        digest_size=16,
    ).digest()
    size = len(seen)
    seen.add(identity)
    return len(seen) != size


# --- reading -------------------------------------------------------------------------------------


class VerifiedArchive:
    """An archive ``open_archive`` has checked completely; it reads ``src`` again on demand.

    ``src`` must stay open and unchanged while this object is used; the reads below re-check
    hashes and tags anyway, so a change is reported as ``CorruptArchive``, never used.
    """

    __slots__ = ("_keys", "_manifest", "_src")

    def __init__(self, src: BinaryIO, manifest: Manifest, keys: ArchiveKeys) -> None:
        self._src = src
        self._manifest = manifest
        self._keys = keys

    @property
    def manifest(self) -> Manifest:
        """The manifest, authenticated by its MAC."""
        return self._manifest

    def iter_records(self) -> Iterator[EntityRecord]:
        """Every record in archive order with its secret joined back in; memory stays bounded."""
        with _as_backup_error(), zipfile.ZipFile(self._src) as zf:
            # These exact bytes passed the strict parse in open_archive; the member's SHA-256 (and
            # every tag of the secrets) is checked again as they are read, and a change raises at
            # the end, so plain json.loads gives the same records at a fraction of the cost.
            yield from _records(zf, self._manifest, self._keys, parse=_parse_checked)

    def files(self) -> dict[str, bytes]:
        """The instance files (``files/<name>`` members) by simple name."""
        with _as_backup_error(), zipfile.ZipFile(self._src) as zf:
            return {
                name[len(FILES_PREFIX) :]: _read_verified(zf, name, digest)
                for name, digest in self._manifest.members.items()
                if name.startswith(FILES_PREFIX)
            }


class ArchiveStream:
    """An archive whose header, password and MAC are checked; its records are checked as read.

    ``records()`` yields each record once it is parsed strictly, before the checks that need a
    whole member (SHA-256, the final tag, counts) are done: those raise ``CorruptArchive`` after
    the last record. Whatever was built from the records may be used only once the iterator has
    ended without an error (a restore stages them in a database it discards on any error).
    """

    __slots__ = ("_keys", "_manifest", "_src")

    def __init__(self, src: BinaryIO, manifest: Manifest, keys: ArchiveKeys) -> None:
        self._src = src
        self._manifest = manifest
        self._keys = keys

    @property
    def manifest(self) -> Manifest:
        """The manifest, authenticated by its MAC."""
        return self._manifest

    def records(self, *, check_unique: bool = True) -> Iterator[EntityRecord]:
        """``check_unique=False`` leaves refusing a repeated (kind, key) to the consumer (a
        database whose primary key it is), saving a set of every key."""
        with _as_backup_error(), zipfile.ZipFile(self._src) as zf:
            yield from _checked_records(zf, self._manifest, self._keys, check_unique=check_unique)

    def files(self) -> dict[str, bytes]:
        """The instance files (``files/<name>`` members) by simple name, checked again."""
        return VerifiedArchive(self._src, self._manifest, self._keys).files()


def inspect_archive(src: BinaryIO, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> Manifest:
    """Check the container and read the manifest without the password.

    The result is NOT authenticated: anyone can write any manifest. Use it for display only.
    """
    with _as_backup_error(), _open_zip(src, limits) as zf:
        infos = _check_container(zf, limits)
        _, manifest = _read_manifest(zf, infos, limits, running_version=None)
        _check_member_set(infos, manifest)
        return manifest


def open_archive(
    src: BinaryIO, *, password: str, product_version: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> VerifiedArchive:
    """Check everything about an uploaded archive, in the documented order, or raise BackupError."""
    with _as_backup_error(), _open_zip(src, limits) as zf:
        manifest, keys = _authenticate(zf, password, product_version, limits)
        for name, digest in manifest.members.items():
            _read_verified(zf, name, digest, keep=False)
        for _ in _checked_records(zf, manifest, keys):
            pass
    return VerifiedArchive(src, manifest, keys)


def stream_archive(
    src: BinaryIO, *, password: str, product_version: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> ArchiveStream:
    """Check the container, the manifest, the password, the MAC and the instance files now; the
    records are checked as ``ArchiveStream.records()`` reads them (one pass instead of two)."""
    with _as_backup_error(), _open_zip(src, limits) as zf:
        manifest, keys = _authenticate(zf, password, product_version, limits)
        for name, digest in manifest.members.items():
            if name.startswith(FILES_PREFIX):
                _read_verified(zf, name, digest, keep=False)
    return ArchiveStream(src, manifest, keys)


def _authenticate(
    zf: zipfile.ZipFile, password: str, product_version: str, limits: ArchiveLimits
) -> tuple[Manifest, ArchiveKeys]:
    """Steps 2 to 13 of the validation order: container, manifest, version, KDF, key check, MAC."""
    infos = _check_container(zf, limits)
    raw_manifest, manifest = _read_manifest(zf, infos, limits, running_version=product_version)
    _check_member_set(infos, manifest)
    check_kdf_params(manifest.kdf)
    keys = derive_keys(password, manifest.kdf)
    if not hmac.compare_digest(keys.key_check, manifest.key_check):
        raise WrongPassword("wrong password")
    stored_mac = b"".join(_read_chunks(zf, infos[MAC_MEMBER], _MAC_HEX_CHARS))
    expected_mac = _manifest_mac(keys.mac_key, raw_manifest).encode("ascii")
    if not hmac.compare_digest(stored_mac, expected_mac):
        raise CorruptArchive(f"archive is corrupt: {MAC_MEMBER} does not match the manifest")
    return manifest, keys


@contextmanager
def _as_backup_error() -> Iterator[None]:
    # The server must answer 400, never 500, to a bad upload, whatever the parser trips on.
    try:
        yield
    except BackupError:
        raise
    except Exception as exc:
        raise CorruptArchive(f"archive is corrupt: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    text = str(exc)
    return f"{name}: {text[:160]}" if text else name


def _open_zip(src: BinaryIO, limits: ArchiveLimits) -> zipfile.ZipFile:
    try:
        size = src.seek(0, io.SEEK_END)
    except Exception as exc:  # any failure to seek means it cannot be read as a ZIP
        raise NotABackup("not a ZIP file: the upload cannot be read") from exc
    if size == 0:
        raise NotABackup("not a ZIP file: the upload is empty")
    if size > limits.max_archive_bytes:
        raise UnsafeArchive(
            f"unsafe archive: {size} bytes is over the cap of {limits.max_archive_bytes}"
        )
    _check_end_record(src, size, limits)
    try:
        return zipfile.ZipFile(src)
    except Exception as exc:  # zipfile raises many types on hostile input
        raise NotABackup("not a ZIP file") from exc


def _check_end_record(src: BinaryIO, size: int, limits: ArchiveLimits) -> None:
    """Bound the central directory before zipfile parses it, since it builds every entry at once.

    zipfile reads as many entries as fit in the directory size the end record declares, whatever
    its entry count says, so both are capped. openscc never writes ZIP64 (its limits are far
    below 4 GiB and 65,535 members), so a ZIP64 end record, and with it the ZIP64 parser
    differentials (CVE-2025-8291), is refused outright.
    """
    tail_length = min(size, _END_RECORD_BYTES + _MAX_ZIP_COMMENT_BYTES)
    src.seek(size - tail_length)
    tail = src.read(tail_length)
    # Where zipfile looks: at the very end (no comment), else the last signature in range.
    if tail[-_END_RECORD_BYTES:][:4] == _END_RECORD_SIGNATURE and tail[-2:] == b"\0\0":
        start = len(tail) - _END_RECORD_BYTES
    else:
        start = tail.rfind(_END_RECORD_SIGNATURE)
    if start < 0 or len(tail) - start < _END_RECORD_BYTES:
        raise NotABackup("not a ZIP file")
    record = tail[start : start + _END_RECORD_BYTES]
    entries_here, entries, directory_bytes = struct.unpack("<HHI", record[8:16])
    if tail[max(start - _ZIP64_LOCATOR_BYTES, 0) : start][:4] == _ZIP64_LOCATOR_SIGNATURE:
        raise UnsafeArchive("unsafe archive: ZIP64 records are not used by openscc backups")
    if max(entries_here, entries) > limits.max_members:
        raise UnsafeArchive(
            f"unsafe archive: {max(entries_here, entries)} members is over the cap of "
            f"{limits.max_members}"
        )
    if directory_bytes > limits.max_members * _MAX_DIRECTORY_ENTRY_BYTES:
        raise UnsafeArchive(
            f"unsafe archive: a central directory of {directory_bytes} bytes is over the cap of "
            f"{limits.max_members * _MAX_DIRECTORY_ENTRY_BYTES}"
        )


def _check_container(zf: zipfile.ZipFile, limits: ArchiveLimits) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_member_entry(info)
        if info.filename in by_name:
            raise UnsafeArchive(f"unsafe archive: duplicate member {_show(info.filename)}")
        by_name[info.filename] = info
    if len(infos) > limits.max_members:
        raise UnsafeArchive(
            f"unsafe archive: {len(infos)} members is over the cap of {limits.max_members}"
        )
    _check_sizes(infos, limits)
    _check_layout(infos, end=getattr(zf, "start_dir", 0))
    return by_name


def _check_member_entry(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename
    shown = _show(name)
    if info.filename != name or not name or len(name) > _MAX_NAME_CHARS:
        raise UnsafeArchive(f"unsafe archive: member name {shown} is empty, too long or has NUL")
    if any(ord(char) < 0x20 or char == "\x7f" for char in name):
        raise UnsafeArchive(f"unsafe archive: member name {shown} has control characters")
    if "\\" in name:
        raise UnsafeArchive(f"unsafe archive: member name {shown} has a backslash")
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":" and name[0].isalpha()):
        raise UnsafeArchive(f"unsafe archive: member name {shown} is an absolute path")
    if any(part in ("", ".", "..") for part in name.rstrip("/").split("/")):
        raise UnsafeArchive(f"unsafe archive: member name {shown} has a '..', '.' or empty part")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeArchive(f"unsafe archive: member {shown} is a symbolic link")
    if info.is_dir() or stat.S_ISDIR(mode) or info.external_attr & _DOS_DIRECTORY:
        raise UnsafeArchive(f"unsafe archive: member {shown} is a directory")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise UnsafeArchive(f"unsafe archive: member {shown} is not a regular file")
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise UnsafeArchive(f"unsafe archive: member {shown} uses ZIP encryption")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsafeArchive(f"unsafe archive: member {shown} uses an unsupported compression")


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    total = 0
    for info in infos:
        shown = _show(info.filename)
        if info.file_size > limits.max_member_bytes:
            raise UnsafeArchive(
                f"unsafe archive: member {shown} declares {info.file_size} bytes, over the cap "
                f"of {limits.max_member_bytes}"
            )
        if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive(
                f"unsafe archive: member {shown} expands more than {limits.max_ratio} times"
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise CorruptArchive(f"archive is corrupt: stored member {shown} has two sizes")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise UnsafeArchive(
            f"unsafe archive: members declare {total} bytes together, over the cap of "
            f"{limits.max_total_bytes}"
        )


def _check_layout(infos: list[zipfile.ZipInfo], *, end: int) -> None:
    # Entries must not share bytes ("quoted overlap" zip bombs, CVE-2024-0450), whatever the
    # Python version; a lower bound of each entry's length is enough to see an overlap.
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
            raise UnsafeArchive(f"unsafe archive: member {_show(info.filename)} overlaps another")


def _read_manifest(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    limits: ArchiveLimits,
    *,
    running_version: str | None,
) -> tuple[bytes, Manifest]:
    info = infos.get(MANIFEST_MEMBER)
    if info is None:
        raise NotABackup(f"not a backup archive: {MANIFEST_MEMBER} is missing")
    if info.file_size > limits.max_manifest_bytes:
        raise UnsafeArchive(
            f"unsafe archive: {MANIFEST_MEMBER} is over the cap of {limits.max_manifest_bytes} bytes"
        )
    raw = b"".join(_read_chunks(zf, info, limits.max_manifest_bytes))
    return raw, Manifest.from_json(raw, running_version=running_version)


def _check_member_set(infos: dict[str, zipfile.ZipInfo], manifest: Manifest) -> None:
    if MAC_MEMBER not in infos:
        raise CorruptArchive(f"archive is corrupt: {MAC_MEMBER} is missing")
    expected = set(manifest.members) | {MANIFEST_MEMBER, MAC_MEMBER}
    extra = sorted(infos.keys() - expected)
    if extra:
        raise CorruptArchive(f"archive is corrupt: unexpected member {_show(extra[0])}")
    missing = sorted(expected - infos.keys())
    if missing:
        raise CorruptArchive(f"archive is corrupt: member {_show(missing[0])} is missing")
    for name, digest in manifest.members.items():
        if infos[name].file_size != digest.size:
            raise CorruptArchive(f"archive is corrupt: member {_show(name)} has the wrong size")
    if infos[MAC_MEMBER].file_size != _MAC_HEX_CHARS:
        raise CorruptArchive(f"archive is corrupt: {MAC_MEMBER} has the wrong size")


def _read_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """Yield a member's bytes, refusing to read past ``limit`` whatever its headers say."""
    total = 0
    with zf.open(info) as member:
        while chunk := member.read(_READ_BYTES):
            total += len(chunk)
            if total > limit:
                raise CorruptArchive(
                    f"archive is corrupt: member {_show(info.filename)} is longer than declared"
                )
            yield chunk


def _read_verified(
    zf: zipfile.ZipFile, name: str, digest: MemberDigest, *, keep: bool = True
) -> bytes:
    """Read a member, check its size and SHA-256 against the manifest, return it if ``keep``."""
    seen = _Digest()
    kept = bytearray()
    for chunk in _read_chunks(zf, zf.getinfo(name), digest.size):
        seen.update(chunk)
        if keep:
            kept += chunk
    if seen.result() != digest:
        raise CorruptArchive(
            f"archive is corrupt: member {_show(name)} does not match the manifest"
        )
    return bytes(kept)


def _checked_records(
    zf: zipfile.ZipFile, manifest: Manifest, keys: ArchiveKeys, *, check_unique: bool = True
) -> Iterator[EntityRecord]:
    """Strictly parsed records; duplicates, hashes, the final tag and the counts per kind are
    checked as they stream, the whole-member ones raising after the last record."""
    counts: Counter[str] = Counter()
    secret_counts: Counter[str] = Counter()
    seen: set[bytes] = set()
    for record in _records(zf, manifest, keys):
        if check_unique and not _first_sight(seen, record.kind, record.key):
            raise CorruptArchive(
                f"archive is corrupt: record {record.kind!r:.60}/{record.key!r:.60} appears twice"
            )
        counts[record.kind] += 1
        if record.secret is not None:
            secret_counts[record.kind] += 1
        yield record
    if +counts != +Counter(manifest.counts):
        raise CorruptArchive("archive is corrupt: records per kind differ from the manifest")
    if +secret_counts != +Counter(manifest.secret_counts):
        raise CorruptArchive("archive is corrupt: secrets per kind differ from the manifest")


def _records(
    zf: zipfile.ZipFile,
    manifest: Manifest,
    keys: ArchiveKeys,
    *,
    parse: Callable[[bytes], Any] = parse_json,
) -> Iterator[EntityRecord]:
    """Merge-join config lines with the secret lines, which come in the same order."""
    config_digest = _Digest()
    config = _lines(
        _tapped(
            _read_chunks(zf, zf.getinfo(CONFIG_MEMBER), manifest.members[CONFIG_MEMBER].size),
            config_digest,
        ),
        CONFIG_MEMBER,
    )
    secrets = _secret_entries(zf, manifest, keys, parse)
    pending = next(secrets, None)
    for number, line in enumerate(config, 1):
        kind, key, parent, body = _parse_config_line(line, number, parse)
        secret = None
        if pending is not None and pending[0] == kind and pending[1] == key:
            secret = pending[2]
            pending = next(secrets, None)
        yield EntityRecord(kind=kind, key=key, parent=parent, body=body, secret=secret)
    if pending is not None:
        raise CorruptArchive(
            "archive is corrupt: a secret belongs to no record, or is out of order"
        )
    if config_digest.result() != manifest.members[CONFIG_MEMBER]:
        raise CorruptArchive(f"archive is corrupt: {CONFIG_MEMBER} changed while it was read")


def _secret_entries(
    zf: zipfile.ZipFile,
    manifest: Manifest,
    keys: ArchiveKeys,
    parse: Callable[[bytes], Any] = parse_json,
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    digest = _Digest()
    decryptor = StreamDecryptor(
        keys.encryption_key, aad=member_aad(SECRETS_MEMBER, manifest.format_version)
    )

    def plaintext() -> Iterator[bytes]:
        chunks = _read_chunks(zf, zf.getinfo(SECRETS_MEMBER), manifest.members[SECRETS_MEMBER].size)
        for chunk in _tapped(chunks, digest):
            yield decryptor.update(chunk)
        yield decryptor.finalize()

    for number, line in enumerate(_lines(plaintext(), SECRETS_MEMBER), 1):
        yield _parse_secret_line(line, number, parse)
    if digest.result() != manifest.members[SECRETS_MEMBER]:
        raise CorruptArchive(f"archive is corrupt: {SECRETS_MEMBER} changed while it was read")


def _tapped(chunks: Iterator[bytes], digest: _Digest) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def _lines(chunks: Iterator[bytes], member: str) -> Iterator[bytes]:
    """Split a byte stream into newline-terminated lines (without the newline)."""
    pending = bytearray()
    for chunk in chunks:
        # Search only the new bytes: one very long line must not cost quadratic time.
        scan = len(pending)
        pending += chunk
        start = 0
        while (end := pending.find(b"\n", scan)) != -1:
            yield bytes(pending[start:end])
            start = scan = end + 1
        del pending[:start]
    if pending:
        raise CorruptArchive(f"archive is corrupt: {member} does not end with a newline")


def _parse_checked(line: bytes) -> Any:
    """json.loads for bytes that ``parse_json`` has already accepted (see iter_records)."""
    return json.loads(line.decode("utf-8"))


def _parse_config_line(
    line: bytes, number: int, parse: Callable[[bytes], Any] = parse_json
) -> tuple[str, str, str | None, dict[str, Any]]:
    where = f"line {number} of {CONFIG_MEMBER}"
    try:
        data = parse(line)
    except ValueError:
        raise CorruptArchive(f"archive is corrupt: {where} is not valid JSON") from None
    if (
        not isinstance(data, dict)
        or data.keys() != _CONFIG_FIELDS
        or not isinstance(data["kind"], str)
        or not data["kind"]
        or not isinstance(data["key"], str)
        or not (data["parent"] is None or isinstance(data["parent"], str))
        or not isinstance(data["body"], dict)
    ):
        raise CorruptArchive(f"archive is corrupt: {where} is not a record")
    return data["kind"], data["key"], data["parent"], data["body"]


def _parse_secret_line(
    line: bytes, number: int, parse: Callable[[bytes], Any] = parse_json
) -> tuple[str, str, dict[str, Any]]:
    # Messages here never quote the line: it is secret.
    where = f"line {number} of {SECRETS_MEMBER}"
    try:
        data = parse(line)
    except ValueError:
        raise CorruptArchive(f"archive is corrupt: {where} is not valid JSON") from None
    if (
        not isinstance(data, dict)
        or data.keys() != _SECRET_FIELDS
        or not isinstance(data["kind"], str)
        or not isinstance(data["key"], str)
        or not isinstance(data["secret"], dict)
    ):
        raise CorruptArchive(f"archive is corrupt: {where} is not a secret entry")
    return data["kind"], data["key"], data["secret"]


def _show(name: str) -> str:
    return repr(name[:80] + ("..." if len(name) > 80 else ""))

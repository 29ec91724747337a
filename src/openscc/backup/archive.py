"""Reading backup archives: one streaming reader, and nothing in an upload is used unchecked.

Every upload is hostile. ``read_archive`` checks the container (size, names, member count, declared
sizes, compression ratio, layout: see container.py), then the manifest, the version, the password,
the manifest's MAC and the instance files (``files/...``, small), and returns an ``ArchiveReader``.
Its ``records()`` then streams every record, each parsed strictly before it is yielded; the checks
that need a whole member (SHA-256, the encrypted member's final tag, the counts per kind) raise
after the last record. So whatever is built from the records may be used only once the iterator
ended without an error: a restore stages them in a database it discards on any error, and
``verify()`` simply drains them. Any failure is a ``BackupError`` subclass; no other exception
escapes. Nothing is ever extracted onto the filesystem. See docs/backup-format.md.

``inspect_archive`` reads the manifest alone, without the password, for display.

The writer is writer.py; ``write_archive``, ``ArchiveLimits`` and ``DEFAULT_LIMITS`` are also
importable from here, the package's entry point for archives.
"""

from __future__ import annotations

import hmac
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from openscc.backup.container import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    as_backup_error,
    check_container,
    open_zip,
    read_chunks,
    show_name,
)
from openscc.backup.crypto import StreamDecryptor, member_aad
from openscc.backup.kdf import ArchiveKeys, check_kdf_params, derive_keys
from openscc.backup.lines import member_lines, parse_config_line, parse_secret_line
from openscc.backup.manifest import (
    CONFIG_MEMBER,
    FILES_PREFIX,
    MAC_MEMBER,
    MANIFEST_MEMBER,
    SECRETS_MEMBER,
    Manifest,
    MemberDigest,
)
from openscc.backup.members import Digest, first_sight, manifest_mac
from openscc.backup.writer import write_archive
from openscc.errors import CorruptArchive, NotABackup, UnsafeArchive, WrongPassword
from openscc.store.records import EntityRecord

__all__ = [
    "DEFAULT_LIMITS",
    "ArchiveLimits",
    "ArchiveReader",
    "VerifiedCounts",
    "inspect_archive",
    "read_archive",
    "write_archive",
]

_MAC_HEX_CHARS = 64


@dataclass(frozen=True, slots=True)
class VerifiedCounts:
    """What ``ArchiveReader.verify`` read: every record, checked."""

    entities: int
    secrets: int


class ArchiveReader:
    """An archive whose header (container, manifest, version, password, MAC) and instance files
    are checked; its records are checked as ``records()`` streams them (see the module's text).

    ``src`` must stay open and unchanged while the reader is used; a change is reported as
    ``CorruptArchive``, never used.
    """

    __slots__ = ("_keys", "_src", "files", "manifest")

    def __init__(
        self, src: BinaryIO, manifest: Manifest, keys: ArchiveKeys, files: dict[str, bytes]
    ) -> None:
        self._src = src
        self._keys = keys
        self.manifest = manifest  # authenticated by its MAC
        self.files = files  # the instance files (files/<name>) by simple name, verified

    def records(self, *, check_unique: bool = True) -> Iterator[EntityRecord]:
        """Every record in archive order, strictly parsed, its secret joined back in; each keeps
        its body's JSON text from the line. ``check_unique=False`` leaves refusing a repeated
        (kind, key) to the consumer (a database whose primary key it is), saving a set of every
        key. Memory stays bounded (apart from that set: 16 bytes and a set entry per record)."""
        with as_backup_error(), zipfile.ZipFile(self._src) as zf:
            yield from _checked_records(zf, self.manifest, self._keys, check_unique=check_unique)

    def verify(
        self, check: Callable[[Iterable[EntityRecord]], Iterator[EntityRecord]] | None = None
    ) -> VerifiedCounts:
        """Read every record (through ``check``, an iterator filter such as ``validated``, if
        given); raises like ``records()`` does."""
        records: Iterator[EntityRecord] = self.records()
        if check is not None:
            records = check(records)
        entities = secrets = 0
        for record in records:
            entities += 1
            secrets += record.secret is not None
        return VerifiedCounts(entities=entities, secrets=secrets)


def inspect_archive(src: BinaryIO, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> Manifest:
    """Check the container and read the manifest without the password.

    The result is NOT authenticated: anyone can write any manifest. Use it for display only.
    """
    with as_backup_error(), open_zip(src, limits) as zf:
        infos = check_container(zf, limits)
        _, manifest = _read_manifest(zf, infos, limits, running_version=None)
        _check_member_set(infos, manifest)
        return manifest


def read_archive(
    src: BinaryIO, *, password: str, product_version: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> ArchiveReader:
    """Check the container, the manifest, the version, the password, the MAC and the instance
    files now; the records are checked as ``ArchiveReader.records()`` streams them."""
    with as_backup_error(), open_zip(src, limits) as zf:
        manifest, keys = _authenticate(zf, password, product_version, limits)
        files = {
            name[len(FILES_PREFIX) :]: _read_verified(zf, name, digest)
            for name, digest in manifest.members.items()
            if name.startswith(FILES_PREFIX)
        }
    return ArchiveReader(src, manifest, keys, files)


def _authenticate(
    zf: zipfile.ZipFile, password: str, product_version: str, limits: ArchiveLimits
) -> tuple[Manifest, ArchiveKeys]:
    """Steps 2 to 13 of the validation order: container, manifest, version, KDF, key check, MAC."""
    infos = check_container(zf, limits)
    raw_manifest, manifest = _read_manifest(zf, infos, limits, running_version=product_version)
    _check_member_set(infos, manifest)
    check_kdf_params(manifest.kdf)
    keys = derive_keys(password, manifest.kdf)
    if not hmac.compare_digest(keys.key_check, manifest.key_check):
        raise WrongPassword("the backup password does not open this archive")
    stored_mac = b"".join(read_chunks(zf, infos[MAC_MEMBER], _MAC_HEX_CHARS))
    expected_mac = manifest_mac(keys.mac_key, raw_manifest).encode("ascii")
    if not hmac.compare_digest(stored_mac, expected_mac):
        raise CorruptArchive(f"{MAC_MEMBER} does not match the manifest")
    return manifest, keys


def _read_manifest(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    limits: ArchiveLimits,
    *,
    running_version: str | None,
) -> tuple[bytes, Manifest]:
    info = infos.get(MANIFEST_MEMBER)
    if info is None:
        raise NotABackup(f"{MANIFEST_MEMBER} is missing")
    if info.file_size > limits.max_manifest_bytes:
        raise UnsafeArchive(
            f"{MANIFEST_MEMBER} is over the cap of {limits.max_manifest_bytes} bytes"
        )
    raw = b"".join(read_chunks(zf, info, limits.max_manifest_bytes))
    return raw, Manifest.from_json(raw, running_version=running_version)


def _check_member_set(infos: dict[str, zipfile.ZipInfo], manifest: Manifest) -> None:
    if MAC_MEMBER not in infos:
        raise CorruptArchive(f"{MAC_MEMBER} is missing")
    expected = set(manifest.members) | {MANIFEST_MEMBER, MAC_MEMBER}
    extra = sorted(infos.keys() - expected)
    if extra:
        raise CorruptArchive(f"unexpected member {show_name(extra[0])}")
    missing = sorted(expected - infos.keys())
    if missing:
        raise CorruptArchive(f"member {show_name(missing[0])} is missing")
    for name, digest in manifest.members.items():
        if infos[name].file_size != digest.size:
            raise CorruptArchive(f"member {show_name(name)} has the wrong size")
    if infos[MAC_MEMBER].file_size != _MAC_HEX_CHARS:
        raise CorruptArchive(f"{MAC_MEMBER} has the wrong size")


def _read_verified(zf: zipfile.ZipFile, name: str, digest: MemberDigest) -> bytes:
    """Read a member, check its size and SHA-256 against the manifest, and return it."""
    seen = Digest()
    kept = bytearray()
    for chunk in read_chunks(zf, zf.getinfo(name), digest.size):
        seen.update(chunk)
        kept += chunk
    if seen.result() != digest:
        raise CorruptArchive(f"member {show_name(name)} does not match the manifest")
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
        if check_unique and not first_sight(seen, record.kind, record.key):
            raise CorruptArchive(f"record {record.kind!r:.60}/{record.key!r:.60} appears twice")
        counts[record.kind] += 1
        if record.secret is not None:
            secret_counts[record.kind] += 1
        yield record
    if +counts != +Counter(manifest.counts):
        raise CorruptArchive("records per kind differ from the manifest")
    if +secret_counts != +Counter(manifest.secret_counts):
        raise CorruptArchive("secrets per kind differ from the manifest")


def _records(zf: zipfile.ZipFile, manifest: Manifest, keys: ArchiveKeys) -> Iterator[EntityRecord]:
    """Merge-join config lines with the secret lines, which come in the same order."""
    config_digest = Digest()
    config = member_lines(
        _tapped(
            read_chunks(zf, zf.getinfo(CONFIG_MEMBER), manifest.members[CONFIG_MEMBER].size),
            config_digest,
        ),
        CONFIG_MEMBER,
    )
    secrets = _secret_entries(zf, manifest, keys)
    pending = next(secrets, None)
    for number, line in enumerate(config, 1):
        data, body_text = parse_config_line(line, number)
        kind, key = data["kind"], data["key"]
        secret = None
        if pending is not None and pending[0] == kind and pending[1] == key:
            secret = pending[2]
            pending = next(secrets, None)
        yield EntityRecord(
            kind=kind,
            key=key,
            parent=data["parent"],
            body=data["body"],
            body_json=body_text,
            secret=secret,
        )
    if pending is not None:
        raise CorruptArchive("a secret belongs to no record, or is out of order")
    if config_digest.result() != manifest.members[CONFIG_MEMBER]:
        raise CorruptArchive(f"{CONFIG_MEMBER} changed while it was read")


def _secret_entries(
    zf: zipfile.ZipFile, manifest: Manifest, keys: ArchiveKeys
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    digest = Digest()
    decryptor = StreamDecryptor(
        keys.encryption_key, aad=member_aad(SECRETS_MEMBER, manifest.format_version)
    )

    def plaintext() -> Iterator[bytes]:
        chunks = read_chunks(zf, zf.getinfo(SECRETS_MEMBER), manifest.members[SECRETS_MEMBER].size)
        for chunk in _tapped(chunks, digest):
            yield decryptor.update(chunk)
        yield decryptor.finalize()

    for number, line in enumerate(member_lines(plaintext(), SECRETS_MEMBER), 1):
        yield parse_secret_line(line, number)
    if digest.result() != manifest.members[SECRETS_MEMBER]:
        raise CorruptArchive(f"{SECRETS_MEMBER} changed while it was read")


def _tapped(chunks: Iterator[bytes], digest: Digest) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk

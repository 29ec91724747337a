"""Where a schedule's archives go, and how each upload is made trustworthy: written under a
temporary name, read back (size and SHA-256 must match), then made visible under its final
name. Retention lists and deletes only the names this schedule makes."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import obstore
from obstore.auth.boto3 import Boto3CredentialProvider
from obstore.store import S3Store

from openscc.background.workers import Interrupted
from openscc.errors import OpensccError

_CHUNK = 1024 * 1024


class TargetFailed(OpensccError):
    status = 500
    type = "RUNTIME_FAILURE"


def origin_of(instance_id: str) -> str:
    """The short form of an instance's id that its archives' names carry: retention deletes
    only what this instance made, even where another writes with the same schedule name."""
    return instance_id.replace("-", "")[:8].lower()


def archive_name(schedule: str, origin: str, when: dt.datetime) -> str:
    return f"openscc-{schedule}-{origin}-{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.zip"


def leftover_of(schedule: str, origin: str, name: str) -> bool:
    """Whether ``name`` is a temporary file of this schedule and origin that a run stopped in
    the middle of its upload left behind (its job was abandoned at a stop)."""
    stamp = r"\d{8}T\d{6}Z"
    return bool(re.fullmatch(
        rf"\.openscc-{re.escape(schedule)}-{re.escape(origin)}-{stamp}\.zip(\.[0-9a-f]+)?\.partial",
        name,
    ))  # fmt: skip


def made_by(schedule: str, origin: str, name: str) -> dt.datetime | None:
    """The time in a name this schedule of this origin made, or None for any other name."""
    match = re.fullmatch(
        rf"openscc-{re.escape(schedule)}-{re.escape(origin)}-(\d{{8}}T\d{{6}}Z)\.zip", name
    )
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


Checkpoint = Callable[[], None]


class Target(Protocol):
    def ship(self, source: Path, name: str, size: int, sha256: str, checkpoint: Checkpoint) -> str:
        """Upload ``source`` as ``name``, verified; where it is (for the runs list).
        ``checkpoint`` is called between chunks (it raises to stop the upload)."""

    def names(self) -> list[str]: ...

    def delete(self, name: str) -> None: ...


def _sha256(chunks: Iterator[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _file_chunks(path: Path, checkpoint: Checkpoint = lambda: None) -> Iterator[bytes]:
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            checkpoint()
            yield chunk


def _check(where: str, read_back: tuple[int, str], size: int, sha256: str) -> None:
    if read_back != (size, sha256):
        raise TargetFailed(
            f"{where} does not read back as written ({read_back[0]} bytes, SHA-256 "
            f"{read_back[1][:16]}… instead of {size} bytes, {sha256[:16]}…)"
        )


class DirectoryTarget:
    """A local or mounted directory. Every file is made relative to the directory opened once,
    with ``O_NOFOLLOW | O_EXCL``: a symbolic link planted at the temporary name (or a final name
    that is one) cannot redirect the archive to a file elsewhere."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def _open_folder(self) -> int:
        try:
            return os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            raise TargetFailed(f"the target directory {self.path} does not exist") from None
        except OSError as error:
            raise TargetFailed(
                f"the target directory {self.path} cannot be opened: {error.strerror or error}"
            ) from None

    def ship(self, source: Path, name: str, size: int, sha256: str, checkpoint: Checkpoint) -> str:
        folder = self._open_folder()
        temporary = f".{name}.{secrets.token_hex(8)}.partial"
        try:
            if _is_link(name, folder):
                raise TargetFailed(f"{self.path / name} is a symbolic link; it is not replaced")
            out = os.open(temporary, _NEW_FILE, 0o600, dir_fd=folder)
            with os.fdopen(out, "wb") as written:
                for chunk in _file_chunks(source, checkpoint):
                    written.write(chunk)
                written.flush()
                os.fsync(written.fileno())
            _check(str(self.path / temporary), _sha256(_chunks_at(folder, temporary)), size, sha256)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            os.fsync(folder)
        except OSError as error:
            raise TargetFailed(
                f"writing to {self.path} failed: {error.strerror or error}"
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=folder)
            os.close(folder)
        return str(self.path / name)

    def names(self) -> list[str]:
        folder = self._open_folder()
        try:
            return [e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
        finally:
            os.close(folder)

    def delete(self, name: str) -> None:
        folder = self._open_folder()
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=folder)  # a link itself, never what it points to
        finally:
            os.close(folder)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=folder).st_mode)
    except FileNotFoundError:
        return False


def _chunks_at(folder: int, name: str) -> Iterator[bytes]:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
    with os.fdopen(fd, "rb") as src:
        while chunk := src.read(_CHUNK):
            yield chunk


class S3Target:
    """S3-compatible object storage through obstore. Without stored credentials, the standard
    AWS credential chain of the server's environment applies (as boto3 resolves it)."""

    def __init__(self, target: dict[str, str], credentials: dict[str, str]) -> None:
        self.bucket = target["bucket"]
        self.prefix = target.get("prefix", "")
        options: dict[str, object] = {}
        endpoint = target.get("endpoint")
        if endpoint:
            options["endpoint"] = endpoint
            options["virtual_hosted_style_request"] = False
            if endpoint.startswith("http://"):
                options["client_options"] = {"allow_http": True}
        if target.get("region"):
            options["region"] = target["region"]
        if credentials:
            options["access_key_id"] = credentials["accessKeyId"]
            options["secret_access_key"] = credentials["secretAccessKey"]
        else:
            # The standard AWS chain: variables, the shared files with AWS_PROFILE, SSO, roles.
            options["credential_provider"] = Boto3CredentialProvider()
        try:
            self.store = S3Store(self.bucket, prefix=self.prefix or None, **options)  # type: ignore[arg-type]
        except Exception as error:  # obstore's configuration errors have no common base
            raise TargetFailed(f"the S3 target is not usable: {_short(error)}") from None

    def _where(self, name: str) -> str:
        return f"s3://{self.bucket}/{self.prefix + '/' if self.prefix else ''}{name}"

    def ship(self, source: Path, name: str, size: int, sha256: str, checkpoint: Checkpoint) -> str:
        temporary = f".{name}.partial"
        try:
            obstore.put(self.store, temporary, _file_chunks(source, checkpoint))
            _check(self._where(temporary), _sha256(self._read(temporary)), size, sha256)
            obstore.copy(self.store, temporary, name)
            _check(self._where(name), _sha256(self._read(name)), size, sha256)
        except (TargetFailed, Interrupted):
            raise
        except Exception as error:  # network, permissions, a missing bucket
            raise TargetFailed(
                f"uploading to {self._where(name)} failed: {_short(error)}"
            ) from None
        finally:
            # Nothing may be left under the temporary name, or the store is unreachable.
            with contextlib.suppress(Exception):
                obstore.delete(self.store, temporary)
        return self._where(name)

    def _read(self, name: str) -> Iterator[bytes]:
        for chunk in obstore.get(self.store, name).stream(min_chunk_size=_CHUNK):
            yield bytes(chunk)

    def names(self) -> list[str]:
        try:
            # Only the prefix's own level: another site's archives under a deeper prefix are
            # not this schedule's, whatever their names.
            paths = [str(item["path"]) for batch in obstore.list(self.store) for item in batch]
            return [path for path in paths if "/" not in path]
        except Exception as error:
            raise TargetFailed(f"listing {self._where('')} failed: {_short(error)}") from None

    def delete(self, name: str) -> None:
        try:
            obstore.delete(self.store, name)
        except Exception as error:
            raise TargetFailed(f"deleting {self._where(name)} failed: {_short(error)}") from None


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__


def target_for(target: dict[str, str], credentials: dict[str, str]) -> Target:
    if target["type"] == "directory":
        return DirectoryTarget(target["path"])
    return S3Target(target, credentials)

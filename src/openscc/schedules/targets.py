"""Where a schedule's archives go, and how each upload is made trustworthy: written under a
temporary name, read back (size and SHA-256 must match), then made visible under its final
name. Retention lists and deletes only the names this schedule makes."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from openscc.schedules.azure_store import azure_store
from openscc.schedules.object_store import s3_store
from openscc.schedules.shipping import (
    CHUNK,
    Checkpoint,
    Target,
    TargetFailed,
    check_read_back,
    file_chunks,
    sha256_of,
)


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
                for chunk in file_chunks(source, checkpoint):
                    written.write(chunk)
                written.flush()
                os.fsync(written.fileno())
            check_read_back(
                str(self.path / temporary), sha256_of(_chunks_at(folder, temporary)), size, sha256
            )
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

    def read(self, name: str) -> Iterator[bytes]:
        folder = self._open_folder()
        try:
            yield from _chunks_at(folder, name)
        except FileNotFoundError:
            raise TargetFailed(f"{self.path / name} does not exist") from None
        except OSError as error:
            raise TargetFailed(
                f"reading {self.path / name} failed: {error.strerror or error}"
            ) from None
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
        while chunk := src.read(CHUNK):
            yield chunk


def target_for(target: dict[str, str], credentials: dict[str, str]) -> Target:
    if target["type"] == "directory":
        return DirectoryTarget(target["path"])
    if target["type"] == "azure":
        return azure_store(target, credentials)
    return s3_store(target, credentials)

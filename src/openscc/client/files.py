"""Local files the client writes: atomically, readable by the owner only, checked before use."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from openscc.client.progress import ProgressCallback
from openscc.errors import CorruptArchive, NotABackup, Unreachable

_ZIP_ENCRYPTED_FLAG = 0x1


class AtomicFile:
    """A temporary file beside ``dst`` (mode 0600) that becomes ``dst`` only on ``commit()``.

    Until then the final name is untouched, so an interrupted download never leaves a partial
    file where a backup is expected; leaving the block without committing deletes the temporary.
    """

    def __init__(self, dst: Path) -> None:
        self.dst = dst
        self.temp_path: Path | None = None
        self._file: BinaryIO | None = None

    def __enter__(self) -> Self:
        fd, name = tempfile.mkstemp(
            dir=self.dst.parent, prefix=f".{self.dst.name}.", suffix=".part"
        )
        self.temp_path = Path(name)
        self._file = os.fdopen(fd, "wb")
        return self

    def write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)

    def sync(self) -> Path:
        """Flush the data to disk and close the temporary file; its path, for checks."""
        assert self.temp_path is not None
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
        return self.temp_path

    def commit(self) -> None:
        """Give the temporary file its final name (replacing any file there) and persist that."""
        path = self.sync()
        os.replace(path, self.dst)
        self.temp_path = None
        _fsync_dir(self.dst.parent)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.temp_path is not None:
            self.temp_path.unlink(missing_ok=True)
            self.temp_path = None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_complete_zip(path: Path) -> int:
    """Raise unless ``path`` is a whole ZIP (central directory, every readable member's CRC); members."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise NotABackup(f"not a ZIP file (the download is not a complete ZIP: {error})") from None
    # The directory was read: a member that fails now (its CRC, its data) is a damaged archive.
    with zf:
        infos = zf.infolist()
        try:
            for info in infos:
                # A real Cloud Connector may encrypt members with the backup password; their CRC
                # can only be checked with it, so only their presence is checked here.
                if info.flag_bits & _ZIP_ENCRYPTED_FLAG:
                    continue
                with zf.open(info) as member:
                    while member.read(1024 * 1024):
                        pass
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
            raise CorruptArchive(f"the download cannot be read ({error})") from None
    if not infos:
        raise NotABackup("not a ZIP file (the download is an empty ZIP)")
    return len(infos)


async def save_download(
    chunks: AsyncIterator[bytes],
    dst: Path,
    total: int | None,
    progress: ProgressCallback,
    source: str,
) -> tuple[int, str]:
    """A backup downloaded from ``source`` into ``dst`` atomically, checked complete (the length
    it announced, a whole ZIP): its size and SHA-256 (hex). ``dst`` is never left partly
    written."""
    digest = hashlib.sha256()
    done = 0
    with AtomicFile(dst) as out:
        progress(0, total)
        async for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            progress(done, total)
        if total is not None and done != total:
            raise Unreachable(f"the download from {source} ended after {done} of {total} bytes")
        check_complete_zip(out.sync())
        out.commit()
    return done, digest.hexdigest()

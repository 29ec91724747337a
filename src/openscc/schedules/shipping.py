"""What every target's upload shares: the target's interface, the chunks of the archive, and
the read-back check that makes an upload trustworthy (size and SHA-256 as written)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from openscc.errors import OpensccError

CHUNK = 1024 * 1024


class TargetFailed(OpensccError):
    status = 500
    type = "RUNTIME_FAILURE"


Checkpoint = Callable[[], None]


class Target(Protocol):
    def ship(self, source: Path, name: str, size: int, sha256: str, checkpoint: Checkpoint) -> str:
        """Upload ``source`` as ``name``, verified; where it is (for the runs list).
        ``checkpoint`` is called between chunks (it raises to stop the upload)."""

    def names(self) -> list[str]: ...

    def read(self, name: str) -> Iterator[bytes]:
        """An archive's bytes, chunk by chunk (a restore sends one back to its connector)."""

    def delete(self, name: str) -> None: ...


def sha256_of(chunks: Iterator[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def file_chunks(path: Path, checkpoint: Checkpoint = lambda: None) -> Iterator[bytes]:
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            checkpoint()
            yield chunk


def check_read_back(where: str, read_back: tuple[int, str], size: int, sha256: str) -> None:
    if read_back != (size, sha256):
        raise TargetFailed(
            f"{where} does not read back as written ({read_back[0]} bytes, SHA-256 "
            f"{read_back[1][:16]}… instead of {size} bytes, {sha256[:16]}…)"
        )


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__

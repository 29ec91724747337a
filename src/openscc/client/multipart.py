"""The restore upload as ``multipart/form-data`` (parts ``password`` and ``backup``), streamed.

Built by hand rather than by httpx so that the length is known up front (the server refuses an
oversized upload from its Content-Length before reading it) and the file is read chunk by chunk
with progress, never held in memory.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from openscc.client.progress import ProgressCallback, no_progress

CHUNK_BYTES = 64 * 1024
_SAFE_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class BackupUpload:
    """One restore request body: the backup file and its password."""

    def __init__(self, path: Path, password: str, fields: tuple[tuple[str, str], ...] = ()) -> None:
        """``fields``: more text parts, (name, value) each (a partial restore's subaccounts)."""
        self.path = path
        self.file_size = path.stat().st_size
        encoded = password.encode("utf-8")
        texts = b"".join(value.encode("utf-8") for _name, value in fields)
        while True:
            boundary = "openscc-" + secrets.token_hex(16)
            if boundary.encode() not in encoded and boundary.encode() not in texts:
                break
        self.boundary = boundary
        # The file name is only a label for the server; a safe constant beats quoting rules.
        filename = path.name if _SAFE_FILENAME.fullmatch(path.name) else "backup.zip"
        self._head = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="password"\r\n'
                "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            ).encode()
            + encoded
            + b"".join(
                (
                    f"\r\n--{boundary}\r\n"
                    f'Content-Disposition: form-data; name="{name}"\r\n'
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                ).encode()
                + value.encode("utf-8")
                for name, value in fields
            )
            + (
                f"\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="backup"; filename="{filename}"\r\n'
                "Content-Type: application/zip\r\n\r\n"
            ).encode()
        )
        self._tail = f"\r\n--{boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def length(self) -> int:
        return len(self._head) + self.file_size + len(self._tail)

    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.length)}

    async def stream(self, progress: ProgressCallback = no_progress) -> AsyncIterator[bytes]:
        """The body, once; progress counts the file's bytes only."""
        yield self._head
        sent = 0
        progress(0, self.file_size)
        with self.path.open("rb") as src:
            while chunk := src.read(CHUNK_BYTES):
                sent += len(chunk)
                if sent > self.file_size:
                    raise OSError(f"{self.path} grew while it was being uploaded")
                yield chunk
                progress(sent, self.file_size)
        if sent != self.file_size:
            raise OSError(f"{self.path} shrank while it was being uploaded")
        yield self._tail

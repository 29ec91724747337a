"""Multipart uploads (certificates, PKCS#12 files): read with a size cap, then their parts."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.types import Message, Receive

from openscc.api.http.bodies import MAX_BODY_BYTES, media_type, read_capped
from openscc.errors import InvalidRequest, UnsupportedMediaType

MAX_FILES = 32  # a trust store upload may carry several certificate files
MAX_FIELDS = 8
MULTIPART = "multipart/form-data"


@dataclass(frozen=True, slots=True)
class FormParts:
    """The parts of a multipart form in order, as bytes (files and plain fields alike)."""

    items: tuple[tuple[str, bytes], ...]

    def get(self, name: str) -> bytes | None:
        """The first part of that name."""
        return next((data for part, data in self.items if part == name), None)

    def every(self, name: str) -> list[bytes]:
        """Every part of that name (a field a form may repeat)."""
        return [data for part, data in self.items if part == name]


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def read_form_parts(request: Request) -> FormParts:
    """Every part of a multipart/form-data body, size-capped."""
    if media_type(request) != MULTIPART:
        raise UnsupportedMediaType("send multipart/form-data")
    # The whole body first, capped whatever Content-Length says (a chunked upload has none), so
    # the form parser never spools more than the cap to disk.
    body = await read_capped(request, MAX_BODY_BYTES, "the upload")
    buffered = Request(request.scope, _replay(body))
    # Every part is read as bytes, as a file: a client may send a file without a filename (SAP's
    # own sample does), and a field's text is decoded by whoever reads it (text_part).
    parser = FilePartsParser(
        buffered.headers,
        buffered.stream(),
        file_parts=None,
        max_files=MAX_FILES + MAX_FIELDS,
        max_fields=MAX_FIELDS,
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidRequest(f"the multipart body cannot be read: {error.message}") from None
    parts: list[tuple[str, bytes]] = []
    try:  # the parts are smaller than the body, which is capped
        for name, value in form.multi_items():
            data = await value.read() if isinstance(value, UploadFile) else value.encode()
            parts.append((name, data))
    finally:
        await form.close()
    return FormParts(tuple(parts))


class FilePartsParser(MultiPartParser):
    """Starlette's multipart parser, but the parts named in ``file_parts`` (every part, with
    None) are spooled as files even when they come without a filename, as SAP's own sample
    clients send the backup and PKCS#12 files."""

    def __init__(self, *args: Any, file_parts: frozenset[str] | None, **options: Any) -> None:
        super().__init__(*args, **options)
        self._file_parts = file_parts

    def on_headers_finished(self) -> None:
        part = self._current_part
        _disposition, options = parse_options_header(part.content_disposition)
        name = options.get(b"name", b"").decode("latin-1")
        wanted = self._file_parts is None or name in self._file_parts
        if wanted and b"filename" not in options:
            part.content_disposition = (
                (part.content_disposition or b"") + b'; filename="' + (name.encode()) + b'"'
            )
        super().on_headers_finished()


def required_part(parts: FormParts, name: str) -> bytes:
    value = parts.get(name)
    if value is None:
        raise InvalidRequest(f"form part {name} is required")
    if not value:
        raise InvalidRequest(f"form part {name} is empty")
    return value


def text_part(parts: FormParts, name: str, *, required: bool = True) -> str | None:
    value = parts.get(name)
    if value is None:
        if required:
            raise InvalidRequest(f"form part {name} is required")
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"form part {name} must be text") from None


def binary_or_base64(data: bytes) -> bytes:
    """A file part, or the same file sent base64-encoded as text (as some clients do)."""
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data

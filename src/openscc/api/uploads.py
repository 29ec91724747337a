"""Multipart uploads (certificates, PKCS#12 files): read with a size cap, then their parts."""

from __future__ import annotations

import base64
import binascii

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from openscc.api.lenient import media_type
from openscc.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType

MAX_UPLOAD_BYTES = 1024 * 1024  # certificates and keystores are a few KiB
MULTIPART = "multipart/form-data"


async def read_form_parts(request: Request) -> dict[str, bytes]:
    """Every part of a multipart/form-data body, as bytes (files and plain fields alike)."""
    return dict(await read_form_items(request))


async def read_form_items(
    request: Request, *, max_files: int = 4, max_fields: int = 8
) -> list[tuple[str, bytes]]:
    """The parts of a multipart/form-data body in order, as (name, bytes): a name may repeat."""
    if media_type(request) != MULTIPART:
        raise UnsupportedMediaType("send multipart/form-data")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge("the upload is too large")
    try:
        form = await request.form(max_files=max_files, max_fields=max_fields)
    except MultiPartException as error:
        raise InvalidRequest(f"the multipart body cannot be read: {error.message}") from None
    parts: list[tuple[str, bytes]] = []
    total = 0
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read(MAX_UPLOAD_BYTES + 1)
            else:
                data = value.encode()
            total += len(data)
            if total > MAX_UPLOAD_BYTES:
                raise PayloadTooLarge("the upload is too large")
            parts.append((name, data))
    finally:
        await form.close()
    return parts


def required_part(parts: dict[str, bytes], name: str) -> bytes:
    value = parts.get(name)
    if not value:
        raise InvalidRequest(f"form part {name} is required")
    return value


def text_part(parts: dict[str, bytes], name: str, *, required: bool = True) -> str | None:
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

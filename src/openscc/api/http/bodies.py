"""Reading request bodies: one cap for every body but a restore's archive, the JSON media type,
JSON parsed strictly (its values are then read leniently, by openscc.config.values)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from openscc.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType

# Every request body (JSON, multipart forms, the logon form) but a restore's archive, whose
# limits are the archive's (docs/api.md, "Limits").
MAX_BODY_BYTES = 1024 * 1024


def media_type(request: Request) -> str:
    """The request's media type without parameters, lower case ("" if none)."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_capped(request: Request, cap: int, what: str) -> bytes:
    """The whole body, refused with 413 once it exceeds ``cap`` (whatever Content-Length says)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(f"{what} is larger than the limit of {cap} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise PayloadTooLarge(f"{what} is larger than the limit of {cap} bytes")
    return bytes(body)


# Read as JSON besides application/json and +json: no content type at all, and text/plain, the
# default of the HTTP library SAP's own samples use (the product reads their bodies as JSON).
_JSON_TOO = ("", "text/plain")


def check_json_media(request: Request) -> None:
    """415 for a content type other than JSON (none at all and text/plain are read as JSON)."""
    media = media_type(request)
    if media not in _JSON_TOO and media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(f"content type {media} is not supported; send application/json")


def parse_json_body(raw: bytes) -> Any:
    """A request body's JSON value; 400 for an empty body, bad JSON or text that is not Unicode."""
    if not raw.strip():
        raise InvalidRequest("the request body is empty; a JSON value is required")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidRequest("the request body is not valid JSON") from None
    try:
        # JSON may escape lone surrogates, which no UTF-8 store, hash or answer can hold.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest("the request body holds text that is not valid Unicode") from None
    return value


def as_json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRequest("the request body must be a JSON object")
    return value


async def read_json_body(request: Request) -> Any:
    """For a handler on the event loop: the request's JSON value; 415 for a non-JSON content
    type, 413 over 1 MiB, 400 for bad JSON."""
    check_json_media(request)
    return parse_json_body(await read_capped(request, MAX_BODY_BYTES, "the request body"))


async def read_json_object(request: Request) -> dict[str, Any]:
    return as_json_object(await read_json_body(request))

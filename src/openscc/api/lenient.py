"""Reading request values the way real clients send them: booleans and numbers may be strings."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from openscc.errors import InvalidRequest, UnsupportedMediaType

MAX_JSON_BYTES = 1024 * 1024


async def json_body(request: Request) -> Any:
    """The request's JSON value; 415 for a non-JSON content type, 400 for bad JSON."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(f"content type {media} is not supported; send application/json")
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise InvalidRequest("the request body is too large")
    if not raw.strip():
        raise InvalidRequest("the request body is empty; a JSON value is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the request body is not valid JSON") from None


async def json_object(request: Request) -> dict[str, Any]:
    value = await json_body(request)
    if not isinstance(value, dict):
        raise InvalidRequest("the request body must be a JSON object")
    return value


def as_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidRequest(f"{field} must be a boolean")


def as_int(value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise InvalidRequest(f"{field} must be a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise InvalidRequest(f"{field} must be a number")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidRequest(f"{field} must be between {minimum} and {maximum}")
    return number


def as_str(value: Any, field: str, *, allow_empty: bool = True, max_length: int = 4096) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string")
    if not allow_empty and not value.strip():
        raise InvalidRequest(f"{field} must not be empty")
    if len(value) > max_length:
        raise InvalidRequest(f"{field} is longer than {max_length} characters")
    return value


def required(data: dict[str, Any], field: str) -> Any:
    if field not in data or data[field] is None:
        raise InvalidRequest(f"{field} is required")
    return data[field]

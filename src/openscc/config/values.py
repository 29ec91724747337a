"""Reading optional request fields leniently, the way every configuration entity needs it."""

from __future__ import annotations

import re
import time
from typing import Any

from openscc.errors import InvalidRequest

_HOST = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def as_bool(value: Any, field: str) -> bool:
    """A boolean given as JSON true/false or as the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidRequest(f"{field} must be a boolean")


def as_int(value: Any, field: str, *, minimum: int, maximum: int) -> int:
    """A whole number given as a JSON number or a string of digits, within bounds."""
    if isinstance(value, bool):
        raise InvalidRequest(f"{field} must be a number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise InvalidRequest(f"{field} must be a number")
    if not minimum <= value <= maximum:
        raise InvalidRequest(f"{field} must be between {minimum} and {maximum}")
    return value


def as_str(value: Any, field: str, *, max_length: int = 4096) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string")
    if len(value) > max_length:
        raise InvalidRequest(f"{field} is longer than {max_length} characters")
    return value


def now_ms() -> int:
    return int(time.time() * 1000)


def present(data: dict[str, Any], field: str) -> bool:
    """A field counts as given unless it is missing or JSON null."""
    return data.get(field) is not None


def opt_str(
    data: dict[str, Any], field: str, default: str | None = None, *, max_length: int = 4096
) -> str | None:
    if not present(data, field):
        return default
    value = data[field]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # lenient: a number where a string is expected
    return as_str(value, field, max_length=max_length)


def req_str(data: dict[str, Any], field: str, *, max_length: int = 4096) -> str:
    value = opt_str(data, field, max_length=max_length)
    if value is None or not value.strip():
        raise InvalidRequest(f"{field} is required")
    return value


def opt_bool(data: dict[str, Any], field: str, default: bool) -> bool:
    return as_bool(data[field], field) if present(data, field) else default


def opt_int(data: dict[str, Any], field: str, default: int, *, minimum: int, maximum: int) -> int:
    if not present(data, field):
        return default
    return as_int(data[field], field, minimum=minimum, maximum=maximum)


def port_text(data: dict[str, Any], field: str) -> str:
    """A required TCP port, given as a number or a string, returned as the product shows it."""
    if not present(data, field):
        raise InvalidRequest(f"{field} is required")
    return str(as_int(data[field], field, minimum=1, maximum=65535))


def host(value: str, field: str) -> str:
    if not _HOST.match(value):
        raise InvalidRequest(f"{field} {value!r} is not a valid host name")
    return value


def identifier(value: str, field: str) -> str:
    if not _IDENTIFIER.match(value):
        raise InvalidRequest(f"{field} {value!r} is not a valid identifier")
    return value

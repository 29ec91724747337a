"""Allowed ABAP clients and blocked client users of a system mapping (lists in its body)."""

from __future__ import annotations

from typing import Any

from openscc.errors import InvalidRequest

_THREE_DIGITS: dict[str, Any] = {"type": "string", "pattern": r"^\s*[0-9]{3}\s*$"}
# An ABAP client: three digits, a number (zero-padded), or the access-control page's {client}.
CLIENT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _THREE_DIGITS,
        {"type": "integer", "minimum": 0, "maximum": 999},
        {"type": "object", "properties": {"client": _THREE_DIGITS}, "required": ["client"]},
    ]
}
CLIENTS_SCHEMA: dict[str, Any] = {"type": "array", "items": CLIENT_SCHEMA}
BLOCKED_USERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "client": {"anyOf": CLIENT_SCHEMA["anyOf"][:2]},
            "user": {"type": "string", "minLength": 1},
        },
        "required": ["client", "user"],
    },
}


def client_text(value: Any) -> str:
    """An ABAP client: three digits; numbers are accepted and zero-padded."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999:
        return f"{value:03d}"
    if isinstance(value, dict):
        value = value.get("client")  # the access-control page's [{client}] form
    if isinstance(value, str) and len(value.strip()) == 3 and value.strip().isdigit():
        return value.strip()
    raise InvalidRequest(f"client {value!r} must be three digits")


def parse_clients(value: Any, name: str = "allowed clients") -> list[str]:
    if not isinstance(value, list):
        raise InvalidRequest(f"{name} must be a JSON array")
    return list(dict.fromkeys(client_text(v) for v in value))


def parse_blocked_user(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidRequest("a blocked client user must be an object {client, user}")
    user = value.get("user")
    if not isinstance(user, str) or not user.strip():
        raise InvalidRequest("user is required")
    return {"client": client_text(value.get("client")), "user": user.strip()}


def parse_blocked_users(value: Any, name: str = "blocked client users") -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise InvalidRequest(f"{name} must be a JSON array")
    unique: dict[tuple[str, str], dict[str, str]] = {}
    for item in value:
        entry = parse_blocked_user(item)
        unique.setdefault((entry["client"], entry["user"].upper()), entry)
    return list(unique.values())


def merge_users(current: list[dict[str, str]], added: list[dict[str, str]]) -> list[dict[str, str]]:
    """Current users plus new ones; duplicates (user names ignore case, as ABAP does) dropped."""
    return parse_blocked_users([*current, *added])

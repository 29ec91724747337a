"""Client-supplied values as logs may show them: a bounded prefix, every control character escaped.

User names, paths and configuration values come from clients; a log line never holds more than
``MAX_SHOWN_CHARS`` of one, so no request can grow a log by more than a bounded amount.
"""

from __future__ import annotations

from typing import Any

MAX_SHOWN_CHARS = 200


def shown(value: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``value`` cut to ``limit`` characters (saying how many more there were), with control
    characters, quotes and backslashes escaped so that one value stays one line."""
    cut = value[:limit]
    escaped = cut.encode("unicode_escape").decode("ascii", "backslashreplace")
    if len(value) > limit:
        escaped += f"...({len(value) - limit} more characters)"
    return escaped


def bounded(value: Any, limit: int = MAX_SHOWN_CHARS) -> Any:
    """A JSON-able value with every string in it bounded (for the audit log's details)."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + f"...({len(value) - limit} more)"
    if isinstance(value, dict):
        items = list(value.items())[:32]
        return {shown(str(k), 64): bounded(v, limit) for k, v in items}
    if isinstance(value, list | tuple):
        return [bounded(v, limit) for v in value[:32]]
    return value

"""The password an archive is sealed with, as a request gives it (a backup, a restore, a backup
schedule): any non-empty string, taken exactly as it comes, blanks included (it is the keys'
input, not a name), and never a number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openscc.config.values import Field
from openscc.errors import InvalidRequest

MAX_PASSWORD_CHARS = 4096


def archive_password(value: Any, name: str = "password") -> str:
    if value is None:
        raise InvalidRequest(f"{name} is required")
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be a string")
    if not value:
        raise InvalidRequest(f"{name} must not be empty")
    if len(value) > MAX_PASSWORD_CHARS:
        raise InvalidRequest(f"{name} is longer than {MAX_PASSWORD_CHARS} characters")
    return value


@dataclass(frozen=True, kw_only=True)
class ArchivePassword(Field):
    """A body's archive password (``archive_password``)."""

    def parse(self, value: Any) -> str:
        return archive_password(value, self.name)

    def type_schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": MAX_PASSWORD_CHARS,
                "format": "password", "writeOnly": True}  # fmt: skip

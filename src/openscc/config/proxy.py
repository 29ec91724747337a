"""The connector's HTTPS proxy: host, port and user in the body, the password only as a secret."""

from __future__ import annotations

from typing import Any

from openscc.config.values import Fields, Port, Text

MASK = "***"


FIELDS = Fields(
    Text(name="host", required=True, max_length=253, host=True),
    Port(name="port", required=True),
    Text(name="user", max_length=255, default=""),
    Text(name="password", secret=True, description=f"absent or {MASK}: the password stays"),
)


def parse(data: dict[str, Any], old_password: str | None) -> tuple[dict[str, str], str | None]:
    """(body, password) from a PUT; a missing password or the mask keeps the old one."""
    values = FIELDS.read(data)
    password = values.pop("password")
    if password is None or password == MASK:
        password = old_password
    return values, password or None


def view(body: dict[str, Any], has_password: bool) -> dict[str, str]:
    out = {"host": body["host"], "port": body["port"], "user": body.get("user", "")}
    if has_password:
        out["password"] = MASK  # the product never returns the password
    return out

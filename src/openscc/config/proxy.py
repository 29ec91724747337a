"""The connector's HTTPS proxy: host, port and user in the body, the password only as a secret."""

from __future__ import annotations

from typing import Any

from openscc.config.values import host, opt_str, port_text, present, req_str

MASK = "***"


def parse(data: dict[str, Any], old_password: str | None) -> tuple[dict[str, str], str | None]:
    """(body, password) from a PUT; a missing password or the mask keeps the old one."""
    body = {
        "host": host(req_str(data, "host", max_length=253), "host"),
        "port": port_text(data, "port"),
        "user": opt_str(data, "user", "", max_length=255) or "",
    }
    password = opt_str(data, "password") if present(data, "password") else None
    if password is None or password == MASK:
        password = old_password
    return body, password or None


def view(body: dict[str, Any], has_password: bool) -> dict[str, str]:
    out = {"host": body["host"], "port": body["port"], "user": body.get("user", "")}
    if has_password:
        out["password"] = MASK  # the product never returns the password
    return out

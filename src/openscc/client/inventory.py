"""The fleet inventory: a TOML file listing connectors and where to read each one's passwords.

    [defaults]                       # optional; every key a connector may have
    user = "Administrator"
    ca_file = "ca.pem"               # relative paths are relative to the inventory file

    [[connector]]
    name = "eu10-prod"               # also the folder name under --out
    url = "https://scc-eu10.example.com:8443"
    password_env = "SCC_EU10_PASSWORD"          # or password_file = "..."
    backup_password_file = "/etc/openscc/eu10.backup-password"   # or backup_password_env
    insecure = false
    verify = "full"                  # "zip" for a Cloud Connector whose archive is not openscc's

Passwords are never in the inventory itself, only where to find them.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openscc.errors import InvalidRequest

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KEYS = frozenset(
    {
        "name",
        "url",
        "user",
        "password_env",
        "password_file",
        "backup_password_env",
        "backup_password_file",
        "ca_file",
        "insecure",
        "verify",
    }
)
VERIFY_MODES = ("full", "zip")


class InventoryError(InvalidRequest):
    """The inventory is invalid, or a password it points to cannot be read (exit code 2)."""


@dataclass(frozen=True, slots=True)
class SecretSource:
    """Where one password is read from: an environment variable or a file."""

    kind: str  # "env" or "file"
    where: str

    def read(self, environ: Mapping[str, str] = os.environ) -> str:
        if self.kind == "env":
            value = environ.get(self.where, "")
            if not value:
                raise InventoryError(f"the environment variable {self.where} is not set or empty")
            return value
        return read_password_file(Path(self.where))

    def describe(self) -> str:
        return f"${self.where}" if self.kind == "env" else self.where


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    """One connector of the fleet."""

    name: str
    url: str
    user: str
    password: SecretSource
    backup_password: SecretSource
    ca_file: Path | None = None
    insecure: bool = False
    verify: str = "full"


def read_password_file(path: Path) -> str:
    """The first line of a password file (without its line break); never empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InventoryError(f"cannot read the password file {path}: {error}") from None
    value = text.splitlines()[0] if text else ""
    if not value:
        raise InventoryError(f"the password file {path} is empty")
    return value


def load_inventory(path: Path) -> list[InventoryEntry]:
    """Parse and check the whole inventory; InventoryError names the first problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InventoryError(f"cannot read the inventory {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InventoryError(f"the inventory {path} is not valid TOML: {error}") from None
    unknown = sorted(data.keys() - {"defaults", "connector"})
    if unknown:
        raise InventoryError(
            f"unknown top-level key {unknown[0]!r} (expected [defaults], [[connector]])"
        )
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise InventoryError("[defaults] must be a table")
    _check_keys(defaults, "[defaults]")
    connectors = data.get("connector", [])
    if not isinstance(connectors, list) or not connectors:
        raise InventoryError("the inventory lists no [[connector]]")
    entries: list[InventoryEntry] = []
    seen: set[str] = set()
    for number, raw in enumerate(connectors, 1):
        if not isinstance(raw, dict):
            raise InventoryError(f"connector #{number} must be a table")
        entry = _entry(_merge(defaults, raw), f"connector #{number}", base=path.parent)
        if entry.name.lower() in seen:
            raise InventoryError(f"connector name {entry.name!r} appears twice")
        seen.add(entry.name.lower())
        entries.append(entry)
    return entries


# A connector that sets one key of a group replaces the whole group from [defaults].
_GROUPS = (
    frozenset({"password_env", "password_file"}),
    frozenset({"backup_password_env", "backup_password_file"}),
    frozenset({"ca_file", "insecure"}),
)


def _merge(defaults: dict[str, Any], connector: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for group in _GROUPS:
        if group & connector.keys():
            for key in group:
                merged.pop(key, None)
    merged.update(connector)
    return merged


def _check_keys(table: dict[str, Any], where: str) -> None:
    unknown = sorted(table.keys() - _KEYS)
    if unknown:
        raise InventoryError(f"{where}: unknown key {unknown[0]!r}")


def _entry(values: dict[str, Any], where: str, *, base: Path) -> InventoryEntry:
    _check_keys(values, where)
    name = _string(values, "name", where)
    where = f"connector {name!r}"
    if _NAME.fullmatch(name) is None or ".." in name:
        raise InventoryError(
            f"{where}: the name must be letters, digits, '.', '_' or '-' (it names a folder)"
        )
    try:
        # The HTTP client is imported when an inventory is read, not when a password file is.
        from openscc.client.wire import normalize_url

        url = normalize_url(_string(values, "url", where))
    except ValueError as error:
        raise InventoryError(f"{where}: {error}") from None
    insecure = values.get("insecure", False)
    if not isinstance(insecure, bool):
        raise InventoryError(f"{where}: insecure must be true or false")
    ca_file = values.get("ca_file")
    if ca_file is not None and not isinstance(ca_file, str):
        raise InventoryError(f"{where}: ca_file must be a string")
    if ca_file is not None and insecure:
        raise InventoryError(f"{where}: ca_file and insecure = true contradict each other")
    verify = values.get("verify", "full")
    if verify not in VERIFY_MODES:
        raise InventoryError(f"{where}: verify must be one of {', '.join(VERIFY_MODES)}")
    return InventoryEntry(
        name=name,
        url=url,
        user=_string(values, "user", where),
        password=_source(values, "password", where, base),
        backup_password=_source(values, "backup_password", where, base),
        ca_file=None if ca_file is None else _resolve(ca_file, base),
        insecure=insecure,
        verify=verify,
    )


def _string(values: dict[str, Any], key: str, where: str) -> str:
    value = values.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InventoryError(f"{where}: {key} is required and must be a non-empty string")
    return value.strip()


def _source(values: dict[str, Any], prefix: str, where: str, base: Path) -> SecretSource:
    env, file = values.get(f"{prefix}_env"), values.get(f"{prefix}_file")
    if (env is None) == (file is None):
        raise InventoryError(f"{where}: give exactly one of {prefix}_env and {prefix}_file")
    if env is not None:
        if not isinstance(env, str) or not env:
            raise InventoryError(f"{where}: {prefix}_env must name an environment variable")
        return SecretSource("env", env)
    if not isinstance(file, str) or not file:
        raise InventoryError(f"{where}: {prefix}_file must be a path")
    return SecretSource("file", str(_resolve(file, base)))


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path

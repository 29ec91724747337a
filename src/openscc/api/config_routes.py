"""What every configuration endpoint module shares: permissions per kind of route, store access."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc.api.audit_trail import note_change
from openscc.api.context import base_url, services
from openscc.auth.roles import Permission
from openscc.cloud import CloudConnection
from openscc.store.entities import EntityStore

# Reads: every role that may see the configuration.
READ: dict[str, Any] = {"permission": Permission.READ_CONFIG, "tag": "configuration"}
READ_CONNECTOR: dict[str, Any] = {
    "permission": Permission.READ_CONNECTOR_SETTINGS,
    "tag": "configuration",
}
# Writes inside a subaccount: Administrators and Subaccount Administrators; never on a shadow.
WRITE_SUBACCOUNT: dict[str, Any] = {
    "permission": Permission.CHANGE_CONFIG,
    "or_permission": Permission.CHANGE_SUBACCOUNT_CONFIG,
    "changes_config": True,
    "tag": "configuration",
}
# Connector-wide writes (proxy, certificates, subject patterns): Administrators only.
WRITE_CONNECTOR: dict[str, Any] = {
    "permission": Permission.CHANGE_CONFIG,
    "changes_config": True,
    "tag": "configuration",
}

STRING: dict[str, Any] = {"type": "string"}
OBJECT: dict[str, Any] = {"type": "object"}
ARRAY_OF_OBJECTS: dict[str, Any] = {"type": "array", "items": OBJECT}
# A boolean as real clients send it: true or "true" (any case), false or "false".
LENIENT_BOOLEAN: dict[str, Any] = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "pattern": "^[Tt][Rr][Uu][Ee]$|^[Ff][Aa][Ll][Ss][Ee]$"},
    ]
}


def required_boolean(name: str) -> dict[str, Any]:
    """The request schema of a body that sets one boolean: {name: true}."""
    return {"type": "object", "properties": {name: LENIENT_BOOLEAN}, "required": [name]}


def store_of(request: Request) -> EntityStore:
    return services(request).instance.store


def cloud_of(request: Request) -> CloudConnection:
    return services(request).cloud


def base_of(request: Request) -> str:
    return base_url(request)


def audit(request: Request, event: str, **details: object) -> None:
    """Name the change for its audit line (never a secret: callers pass names and ids only);
    the router writes the line once the change has succeeded."""
    note_change(request, event, **details)

"""What every configuration endpoint module shares: permissions per kind of route, store access."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc.api.http.context import base_url, services
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.auth.roles import ADMIN_ONLY, ADMINISTRATORS, EVERY_ROLE, SUBACCOUNT_ADMINS
from openscc.cloud import CloudConnection
from openscc.store.entities import EntityStore

# The role lists of the documentation's pages, as endpoint options. Reads: every role.
READ: dict[str, Any] = {"roles": EVERY_ROLE, "tag": "configuration"}
# Writes inside a subaccount: the three administrator roles; never on a shadow.
WRITE_SUBACCOUNT: dict[str, Any] = {
    "roles": SUBACCOUNT_ADMINS,
    "changes_config": True,
    "tag": "configuration",
}
# Connector-wide writes the Associate Administrator may make too (certificates, trust store,
# subject pattern rules, the description).
WRITE_CONNECTOR: dict[str, Any] = {
    "roles": ADMINISTRATORS,
    "changes_config": True,
    "tag": "configuration",
}
# Connector-wide writes for the Administrator role alone (proxy, HA role, authentication).
WRITE_ADMIN_ONLY: dict[str, Any] = {
    "roles": ADMIN_ONLY,
    "changes_config": True,
    "tag": "configuration",
}

STRING: dict[str, Any] = {"type": "string"}
OBJECT: dict[str, Any] = {"type": "object"}
ARRAY_OF_OBJECTS: dict[str, Any] = {"type": "array", "items": OBJECT}


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

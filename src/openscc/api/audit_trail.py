"""One audit line per successful change, written from one place: the router, after the handler.

Every request with a method other than GET or HEAD that answers 2xx is recorded with who made it,
the operation (method and path template) and the entity's key (the path parameters), never a
request body. A handler may name the event and add details that are not secret (``note_change``);
otherwise the event is named after the path (``systemMappings.deleted``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc.api.endpoints import Endpoint
from openscc.audit import AuditLog

_VERBS = {"POST": "created", "PUT": "changed", "PATCH": "changed", "DELETE": "deleted"}
_AUDIT_EVENT = "openscc.audit_event"
_AUDIT_DETAILS = "openscc.audit_details"


def note_change(request: Request, event: str, **details: Any) -> None:
    """Name this request's audit event and add details to its line (names and ids, never secrets)."""
    request.scope[_AUDIT_EVENT] = event
    request.scope[_AUDIT_DETAILS] = details


def derived_event(endpoint: Endpoint) -> str:
    """``<last literal path segment>.<created|changed|deleted>``."""
    literal = [part for part in endpoint.path.split("/") if part and not part.startswith("{")]
    return f"{literal[-1]}.{_VERBS.get(endpoint.method, endpoint.method.lower())}"


def record_change(audit: AuditLog, request: Request, endpoint: Endpoint, actor: str) -> None:
    audit.record(
        request.scope.get(_AUDIT_EVENT) or derived_event(endpoint),
        actor=actor,
        operation=f"{endpoint.method} {endpoint.path}",
        **({"key": dict(request.path_params)} if request.path_params else {}),
        **request.scope.get(_AUDIT_DETAILS, {}),
    )

"""One audit line per successful change, written from one place: the router, after the handler.

Every request with a method other than GET or HEAD that answers 2xx is recorded with who made it,
the operation (method and path template) and the entity's key (the path parameters), never a
request body. A handler may name the event and add details that are not secret (``note_change``);
otherwise the event is named after the path (``systemMappings.deleted``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc.api.http.endpoints import Endpoint
from openscc.audit import AuditLog

_VERBS = {"POST": "created", "PUT": "changed", "PATCH": "changed", "DELETE": "deleted"}
_AUDIT_EVENT = "openscc.audit_event"
_AUDIT_DETAILS = "openscc.audit_details"
_AUDIT_ALWAYS = "openscc.audit_always"


def note_change(request: Request, event: str, **details: Any) -> None:
    """Name this request's audit event and add details to its line (names and ids, never secrets)."""
    request.scope[_AUDIT_EVENT] = event
    request.scope[_AUDIT_DETAILS] = details


def note_audit_level_change(request: Request, event: str, **details: Any) -> None:
    """As ``note_change``, for a change of an audit level: recorded whatever the levels are, so
    that turning the audit log off is on record."""
    note_change(request, event, **details)
    request.scope[_AUDIT_ALWAYS] = True


def derived_event(endpoint: Endpoint) -> str:
    """``<last literal path segment>.<created|changed|deleted>``."""
    literal = [part for part in endpoint.path.split("/") if part and not part.startswith("{")]
    return f"{literal[-1]}.{_VERBS.get(endpoint.method, endpoint.method.lower())}"


def record_change(
    audit: AuditLog, request: Request, endpoint: Endpoint, actor: str, *, level: str | None = None
) -> None:
    """``level``: the audit level governing the request (its subaccount's), if not the
    cross-subaccount one."""
    audit.record_event(
        request.scope.get(_AUDIT_EVENT) or derived_event(endpoint),
        actor=actor,
        level=level,
        always=bool(request.scope.get(_AUDIT_ALWAYS)),
        details={
            "operation": f"{endpoint.method} {endpoint.path}",
            **({"key": dict(request.path_params)} if request.path_params else {}),
            **request.scope.get(_AUDIT_DETAILS, {}),
        },
    )

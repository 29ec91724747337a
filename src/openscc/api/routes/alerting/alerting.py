"""``/api/v1/configuration/connector/alerting``: thresholds, and which alerts are e-mailed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc.api.http.context import services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.routes.configuration.common import WRITE_ADMIN_ONLY
from openscc.api.routes.configuration.singletons import Change, Setting, register
from openscc.config import alerting as model

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/alerting"

_VIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        model.THRESHOLDS: {"type": "object", "additionalProperties": {"type": "integer"}},
        model.NOTIFICATION: {
            "type": "object",
            "properties": {category: {"type": "boolean"} for category in model.CATEGORIES},
        },
    },
}


def _view(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    external = bool(services(request).instance.props.audit_log_dir)
    return model.view(body, external_audit_log=external)


register(
    endpoints,
    Setting(
        path=PATH,
        summary="The alerting configuration: thresholds, and the alert categories e-mailed",
        read=model.current,
        save=model.save,
        view=_view,
        response_schema=_VIEW_SCHEMA,
        write=WRITE_ADMIN_ONLY,
        changes=(
            Change(
                method="PUT",
                summary="Set the alerting configuration (what is left out takes its default)",
                fields=model.FIELDS,
                apply=model.replaced,
                audit_event="alerting.changed",
                audit_details=lambda _body: {"replaced": True},
            ),
            Change(
                method="PATCH",
                summary="Change some values of the alerting configuration",
                fields=model.FIELDS,
                apply=model.changed,
                audit_event="alerting.changed",
                audit_details=lambda _body: {"replaced": False},
            ),
        ),
    ),
)

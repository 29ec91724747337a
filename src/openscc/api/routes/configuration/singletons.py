"""Connector-wide settings kept as one entity (``kinds.SINGLETON_KEY``): a GET that answers them
and the methods that change them. Each module declares its setting once (``Setting``) and
``register`` adds the routes, so every such setting reads, saves, applies and audits alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable, StoreHandler
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, audit, store_of
from openscc.config.values import Fields
from openscc.store.entities import EntityStore

Body = dict[str, Any]


def _as_stored(_request: Request, body: Body) -> Body:
    return body


def _no_details(_body: Body) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, kw_only=True)
class Change:
    """One method that changes the setting: ``apply`` makes the new settings from the current
    ones and the request's JSON object, which ``fields`` declares (None: the method takes no
    body)."""

    method: str
    summary: str
    apply: Callable[[Body, Body], Body]
    fields: Fields | None = None
    body_optional: bool = False  # an empty body counts as {}
    audit_event: str
    audit_details: Callable[[Body], dict[str, Any]] = _no_details  # names and values, no secret
    more_responses: dict[str, str | dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Setting:
    path: str
    summary: str  # of the GET
    read: Callable[[EntityStore], Body]  # the settings in force (defaults filled in)
    save: Callable[[EntityStore, Body], None]
    response_schema: dict[str, Any]
    view: Callable[[Request, Body], Body] = _as_stored  # the GET answer
    write: dict[str, Any]  # the changes' endpoint options: roles, changes_config, tag
    changes: tuple[Change, ...]
    # Once a change is saved: what takes effect outside the store at once (a log level).
    applied: Callable[[Request, Body], None] | None = None
    # Names the change for the audit log (``audit``, or a variant that records it always).
    note: Callable[..., None] = audit


def register(endpoints: EndpointTable, setting: Setting) -> None:
    """The GET of ``setting`` and a route for each of its changes, in the order given."""

    def get_setting(request: ReadRequest, caller: Caller) -> Response:
        return json_response(setting.view(request, setting.read(store_of(request))))

    endpoints.route(
        "GET",
        setting.path,
        summary=setting.summary,
        response_schema=setting.response_schema,
        **READ,
    )(get_setting)
    for change in setting.changes:
        endpoints.route(
            change.method,
            setting.path,
            summary=change.summary,
            status=204,
            request_fields=change.fields,
            more_responses=change.more_responses,
            **setting.write,
        )(_change_handler(setting, change))


def _change_handler(setting: Setting, change: Change) -> StoreHandler:
    def change_setting(request: ReadRequest, caller: Caller) -> Response:
        data = _request_body(request, change)
        store = store_of(request)
        with store.transaction():
            body = change.apply(setting.read(store), data)
            setting.save(store, body)
        if setting.applied is not None:
            setting.applied(request, body)
        setting.note(request, change.audit_event, **change.audit_details(body))
        return empty_response()

    return change_setting


def _request_body(request: ReadRequest, change: Change) -> Body:
    if change.fields is None or (change.body_optional and not request.body_bytes.strip()):
        return {}
    return json_object(request)

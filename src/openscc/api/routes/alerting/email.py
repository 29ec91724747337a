"""``/api/v1/configuration/connector/email``: where alert e-mails go, through which SMTP server.

The SMTP password is write-only: it is stored in the entity's secret and never answered.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import READ, WRITE_CONNECTOR, audit, store_of
from openscc.config import email as model

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/email"

_RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {
        field.name: field.schema() for field in model.FIELDS if field.name != model.PASSWORD
    },
    "required": ["enabled"],
}


@endpoints.route(
    "GET",
    PATH,
    summary="The e-mail configuration of alerts (never the SMTP password)",
    response_schema=_RESPONSE_SCHEMA,
    **READ,
)
def get_email(request: ReadRequest, caller: Caller) -> Response:
    body, _password = model.stored(store_of(request))
    return json_response(model.view(body))


def _change(request: ReadRequest, *, replace: bool) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        old, old_password = model.stored(store)
        change = model.replaced if replace else model.changed
        body, password = change(data, old, old_password)
        model.save(store, body, password)
    audit(
        request,
        "email.changed",
        enabled=body["enabled"],
        password_changed=model.PASSWORD in data,
    )
    return empty_response()


@endpoints.route(
    "PUT",
    PATH,
    summary="Set the e-mail configuration (validated when enabled is true)",
    status=204,
    request_fields=model.FIELDS,
    **WRITE_CONNECTOR,
)
def put_email(request: ReadRequest, caller: Caller) -> Response:
    return _change(request, replace=True)


@endpoints.route(
    "PATCH",
    PATH,
    summary="Change some values of the e-mail configuration (null removes an optional one)",
    status=204,
    request_fields=model.PATCH_FIELDS,
    **WRITE_CONNECTOR,
)
def patch_email(request: ReadRequest, caller: Caller) -> Response:
    return _change(request, replace=False)


@endpoints.loop_route(
    "POST",
    "/api/openscc/v1/alerting/email/test",
    summary="Send a test e-mail through the stored e-mail configuration, as an alert would be "
    "sent (openscc's own): whether it was sent, and to whom or why not",
    response_schema={
        "type": "object",
        "properties": {"sent": {"type": "boolean"}, "message": {"type": "string"}},
    },
    tag="openscc",
    roles=WRITE_CONNECTOR["roles"],
)
async def send_test_email(request: Request, caller: Caller) -> Response:
    svc = services(request)
    sent, message = await svc.workers.run(svc.alerts.send_test_mail)
    audit(request, "email.tested", sent=sent)
    return json_response({"sent": sent, "message": message})

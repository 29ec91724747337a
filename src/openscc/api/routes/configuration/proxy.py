"""The connector's proxy settings; the password is write-only (``***`` on read)."""

from __future__ import annotations

from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import OBJECT, READ, WRITE_ADMIN_ONLY, audit, store_of
from openscc.config import proxy as model
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/proxy"


@endpoints.route(
    "GET",
    PATH,
    summary="The proxy settings (empty object when none)",
    response_schema=OBJECT,
    **READ,
)
def get_proxy(request: ReadRequest, caller: Caller) -> Response:
    record = store_of(request).get(kinds.PROXY, kinds.SINGLETON_KEY, with_secret=True)
    if record is None:
        return json_response({})
    return json_response(model.view(record.body, bool((record.secret or {}).get("password"))))


@endpoints.route(
    "PUT",
    PATH,
    summary="Set the proxy ({} removes it)",
    status=204,
    request_fields=model.FIELDS,
    **WRITE_ADMIN_ONLY,
)
def put_proxy(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        if not data:
            store.delete(kinds.PROXY, kinds.SINGLETON_KEY)
        else:
            old = store.get(kinds.PROXY, kinds.SINGLETON_KEY, with_secret=True)
            old_password = (old.secret or {}).get("password") if old is not None else None
            body, password = model.parse(data, old_password)
            store.put(
                EntityRecord(
                    kind=kinds.PROXY,
                    key=kinds.SINGLETON_KEY,
                    parent=None,
                    body=body,
                    secret={"password": password} if password else None,
                )
            )
    audit(request, "proxy.changed", removed=not data)
    return empty_response()


@endpoints.route(
    "DELETE", PATH, summary="Remove the proxy settings", status=204, **WRITE_ADMIN_ONLY
)
def delete_proxy(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        store.delete(kinds.PROXY, kinds.SINGLETON_KEY)
    audit(request, "proxy.changed", removed=True)
    return empty_response()

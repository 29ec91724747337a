"""A subaccount's trust configuration: automatic synchronization, the lists of trusted identity
providers and applications, and which of them the connector trusts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.configuration.common import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_SUBACCOUNT,
    audit,
    cloud_of,
    store_of,
)
from openscc.auth.roles import SUBACCOUNT_ADMINS
from openscc.cloud import CONNECTED
from openscc.config import trust as model
from openscc.config.lookup import require_subaccount
from openscc.errors import Conflict
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
TRUST = "/api/v1/configuration/subaccounts/{region}/{subaccount}/trust"
_BY_ID_ROLES: dict[str, Any] = {"roles": SUBACCOUNT_ADMINS, "tag": "configuration"}
_NAMES = {model.IDPS: "identity providers", model.APPS: "applications"}


def _subaccount(request: Request) -> EntityRecord:
    params = request.path_params
    return require_subaccount(store_of(request), params["region"], params["subaccount"])


def _lists(request: Request, sa: EntityRecord) -> dict[str, Any]:
    record = store_of(request).get(kinds.SUBACCOUNT_TRUST, model.key(sa.key))
    return model.empty() if record is None else record.body


@endpoints.route(
    "GET",
    TRUST,
    summary="Whether the trust configuration is synchronized automatically",
    response_schema=OBJECT,
    **READ,
)
def get_trust(request: ReadRequest, caller: Caller) -> Response:
    body = _subaccount(request).body
    return json_response({"autoSyncTrustEnabled": bool(body.get("autoSyncTrustEnabled", False))})


@endpoints.route(
    "PUT",
    TRUST,
    summary="Turn automatic trust synchronization on or off",
    status=204,
    request_fields=model.AUTO_SYNC_FIELDS,
    **WRITE_SUBACCOUNT,
)
def put_trust(request: ReadRequest, caller: Caller) -> Response:
    enabled = model.AUTO_SYNC_FIELDS.read(json_object(request))["autoSyncTrustEnabled"]
    store = store_of(request)
    with store.transaction():
        record = _subaccount(request)
        body = {**record.body, "autoSyncTrustEnabled": enabled}
        store.update_body(record.kind, record.key, body)
    audit(request, "subaccount.trust_auto_sync", subaccount=body["subaccount"], enabled=enabled)
    return empty_response()


@endpoints.route(
    "POST",
    TRUST,
    summary="Synchronize the trust lists from SAP BTP (entries keep whether they are trusted)",
    status=204,
    **WRITE_SUBACCOUNT,
    more_responses={"500": "RUNTIME_FAILURE: SAP BTP cannot be reached"},
)
def sync_trust(request: ReadRequest, caller: Caller) -> Response:
    body = _subaccount(request).body
    if body.get("tunnelState") != CONNECTED:
        raise Conflict(
            f"Trust configuration cannot be synchronized: the tunnel of subaccount "
            f"{body['subaccount']}@{body['regionHost']} is {body.get('tunnelState')} "
            f"({body.get('tunnelMessage', '')})"
        )
    fetched = cloud_of(request).sync_trust(body["regionHost"], body["subaccount"])
    store = store_of(request)
    with store.transaction():
        sa = _subaccount(request)
        store.put(model.record(sa.key, model.merged(_lists(request, sa), fetched)))
    audit(
        request,
        "subaccount.trust_synchronized",
        subaccount=body["subaccount"],
        idps=len(fetched.idps),
        apps=len(fetched.apps),
    )
    return empty_response()


def _list_handler(kind: str) -> Any:
    def list_entries(request: ReadRequest, caller: Caller) -> Response:
        return json_response(_lists(request, _subaccount(request))[kind])

    return list_entries


def _get_handler(kind: str) -> Any:
    def get_entry(request: ReadRequest, caller: Caller) -> Response:
        lists = _lists(request, _subaccount(request))
        return json_response(model.entry(lists, kind, request.path_params["id"]))

    return get_entry


def _put_handler(kind: str) -> Any:
    def put_entry(request: ReadRequest, caller: Caller) -> Response:
        enabled = model.ENTRY_FIELDS.read(json_object(request))["enabled"]
        text = request.path_params["id"]
        store = store_of(request)
        with store.transaction():
            sa = _subaccount(request)
            lists = model.with_enabled(_lists(request, sa), kind, text, enabled)
            store.put(model.record(sa.key, lists))
        audit(
            request,
            "subaccount.trust_entry",
            subaccount=sa.body["subaccount"],
            type=kind,
            id=text,
            enabled=enabled,
        )
        return empty_response()

    return put_entry


for _kind in model.TYPES:
    endpoints.route(
        "GET",
        f"{TRUST}/{_kind}",
        summary=f"The trusted {_NAMES[_kind]} as last synchronized or restored",
        response_schema=ARRAY_OF_OBJECTS,
        **READ,
    )(_list_handler(_kind))
    endpoints.route(
        "GET",
        f"{TRUST}/{_kind}/{{id}}",
        summary=f"One of the trusted {_NAMES[_kind]}",
        response_schema=OBJECT,
        **_BY_ID_ROLES,
    )(_get_handler(_kind))
    endpoints.route(
        "PUT",
        f"{TRUST}/{_kind}/{{id}}",
        summary=f"Trust one of the {_NAMES[_kind]} (enabled: true) or not",
        status=204,
        request_fields=model.ENTRY_FIELDS,
        **WRITE_SUBACCOUNT,
    )(_put_handler(_kind))

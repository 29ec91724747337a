"""Subaccounts: list, create, read, update, delete, tunnel state, trust and certificate validity."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openscc.api.config_routes import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_SUBACCOUNT,
    audit,
    base_of,
    cloud_of,
    required_boolean,
    store_of,
)
from openscc.api.context import Caller, services
from openscc.api.endpoints import EndpointTable
from openscc.api.lenient import read_json_object, required
from openscc.api.read_request import ReadRequest, json_object
from openscc.api.responses import created, empty_response, json_response
from openscc.auth.roles import ADMIN
from openscc.cloud import CONNECTED
from openscc.config import kinds, paths
from openscc.config import subaccounts as model
from openscc.config.lookup import require_subaccount
from openscc.config.values import as_bool, present, req_str
from openscc.errors import Conflict, Forbidden, InvalidConfiguration
from openscc.snapshot import EntityRecord

endpoints = EndpointTable()
LIST = paths.SUBACCOUNTS
ONE = f"{LIST}/{{region}}/{{subaccount}}"

_CREATE_SCHEMA = {
    "type": "object",
    "properties": {
        name: {"type": ["string", "boolean"]}
        for name in (
            "regionHost",
            "subaccount",
            "cloudUser",
            "cloudPassword",
            "authenticationData",
            "locationID",
            "displayName",
            "description",
            "autoCertRenewal",
            "isManaged",
        )
    },
}


def _subaccount(request: Request, *, with_secret: bool = False) -> EntityRecord:
    params = request.path_params
    return require_subaccount(
        store_of(request), params["region"], params["subaccount"], with_secret=with_secret
    )


@endpoints.route("GET", LIST, summary="All subaccounts", response_schema=ARRAY_OF_OBJECTS, **READ)
def list_subaccounts(request: ReadRequest, caller: Caller) -> Response:
    base = base_of(request)
    records = store_of(request).children(kinds.SUBACCOUNT, None)
    return json_response([model.summary_view(base, r.body) for r in records])


@endpoints.route(
    "POST",
    LIST,
    summary="Add a subaccount (its key pair and certificate are generated locally)",
    status=201,
    request_schema=_CREATE_SCHEMA,
    response_schema=OBJECT,
    **WRITE_SUBACCOUNT,
)
async def create_subaccount(request: Request, caller: Caller) -> Response:
    new = model.parse_new(await read_json_object(request))
    if new.settings["isManaged"] and caller.user.role != ADMIN:
        raise Forbidden("only the role Administrator may add a managed subaccount")
    svc = services(request)
    store = svc.instance.store
    key = kinds.subaccount_key(new.region_host, new.subaccount)

    def refuse_existing() -> None:
        if store.exists(kinds.SUBACCOUNT, key):
            raise InvalidConfiguration(
                f"Subaccount with value '{new.subaccount}@{new.region_host}' already exists"
            )

    await svc.store_thread.run(refuse_existing)
    # Making the key pair takes a while: in a worker, so the store thread serves others.
    pair = await run_in_threadpool(model.local_certificate, new.region_host, new.subaccount)
    # The product connects a new subaccount at once; the outcome is what the cloud side says.
    tunnel = svc.cloud.connect(new.region_host, new.subaccount)
    record = model.new_record(new, pair, tunnel)

    def add() -> None:
        with store.transaction():
            refuse_existing()
            store.put(record)

    await svc.store_thread.run(add)
    audit(
        request,
        "subaccount.created",
        subaccount=new.subaccount,
        regionHost=new.region_host,
        tunnel=tunnel.state,
        tunnelMessage=tunnel.message,
    )
    base = base_of(request)
    location = base + paths.subaccount_path(new.region_host, new.subaccount)
    return created(location, model.view(base, record.body))


@endpoints.route(
    "GET", ONE, summary="One subaccount with its tunnel", response_schema=OBJECT, **READ
)
def get_subaccount(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.view(base_of(request), _subaccount(request).body))


@endpoints.route(
    "PUT",
    ONE,
    summary="Change location ID, display name or description",
    request_schema=OBJECT,
    response_schema=OBJECT,
    **WRITE_SUBACCOUNT,
)
def update_subaccount(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        record = _subaccount(request)
        body = model.apply_update(record.body, data)
        store.update_body(record.kind, record.key, body)
    audit(request, "subaccount.updated", subaccount=body["subaccount"])
    return json_response(model.view(base_of(request), body))


@endpoints.route(
    "DELETE", ONE, summary="Remove a subaccount and all its content", status=204, **WRITE_SUBACCOUNT
)
def delete_subaccount(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        record = _subaccount(request)
        store.delete_subtree(record.key)
        store.delete(record.kind, record.key)
    audit(request, "subaccount.deleted", subaccount=record.body["subaccount"])
    return empty_response()


@endpoints.route(
    "PUT",
    f"{ONE}/state",
    summary="Connect or disconnect the subaccount's tunnel",
    status=204,
    request_schema=required_boolean("connected"),
    **WRITE_SUBACCOUNT,
)
def put_state(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    connect = as_bool(required(data, "connected"), "connected")
    record = _subaccount(request)
    body = record.body
    outcome = (
        cloud_of(request).connect(body["regionHost"], body["subaccount"])
        if connect
        else model.disconnected()
    )
    store = store_of(request)
    with store.transaction():
        current = _subaccount(request)
        updated = {**current.body, **model.tunnel_fields(outcome)}
        store.update_body(current.kind, current.key, updated)
    audit(
        request,
        "subaccount.state",
        subaccount=body["subaccount"],
        tunnel=outcome.state,
        tunnelMessage=outcome.message,
    )
    return empty_response()


@endpoints.route(
    "POST",
    f"{ONE}/trust",
    summary="Synchronize the trust configuration from SAP BTP",
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
    cloud_of(request).sync_trust(body["regionHost"], body["subaccount"])
    return empty_response()


@endpoints.route(
    "PUT",
    f"{ONE}/trust",
    summary="Turn automatic trust synchronization on or off",
    status=204,
    request_schema=required_boolean("autoSyncTrustEnabled"),
    **WRITE_SUBACCOUNT,
)
def put_trust(request: ReadRequest, caller: Caller) -> Response:
    data = json_object(request)
    enabled = as_bool(required(data, "autoSyncTrustEnabled"), "autoSyncTrustEnabled")
    store = store_of(request)
    with store.transaction():
        record = _subaccount(request)
        body = {**record.body, "autoSyncTrustEnabled": enabled}
        store.update_body(record.kind, record.key, body)
    return empty_response()


@endpoints.route(
    "POST",
    f"{ONE}/validity",
    summary="Renew the subaccount certificate (with cloud user and password, or authentication data)",
    request_schema=OBJECT,
    response_schema=OBJECT,
    **WRITE_SUBACCOUNT,
)
async def renew_certificate(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    if present(data, "authenticationData"):
        secret = {"authenticationData": req_str(data, "authenticationData", max_length=64 * 1024)}
    else:
        secret = {"cloudPassword": req_str(data, "password")}
        user = req_str(data, "user", max_length=255)
    svc = services(request)
    store = svc.instance.store
    record = await svc.store_thread.run(_subaccount, request)
    # Making the key pair takes a while: in a worker, so the store thread serves others.
    pair = await run_in_threadpool(
        model.local_certificate, record.body["regionHost"], record.body["subaccount"]
    )

    def replace() -> dict[str, object]:
        with store.transaction():
            current = _subaccount(request, with_secret=True)
            body = {**current.body, "certificatePem": pair.certificate_pem}
            if "cloudPassword" in secret:
                body["cloudUser"] = user
            old = {
                k: v
                for k, v in (current.secret or {}).items()
                if k not in ("cloudPassword", "authenticationData")
            }
            store.put(
                EntityRecord(
                    kind=current.kind,
                    key=current.key,
                    parent=None,
                    body=body,
                    secret={**old, **secret, "privateKeyPem": pair.private_key_pem},
                )
            )
        return body

    body = await svc.store_thread.run(replace)
    audit(request, "subaccount.certificate_renewed", subaccount=body["subaccount"])
    return json_response(model.view(base_of(request), body))

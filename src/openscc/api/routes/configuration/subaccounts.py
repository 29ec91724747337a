"""Subaccounts: list, create, read, update, delete, tunnel state and certificate validity; the
corrupted ones; the discontinued recovery subaccount."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.common import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_SUBACCOUNT,
    audit,
    base_of,
    cloud_of,
    store_of,
)
from openscc.auth.roles import ADMIN, SUBACCOUNT_ADMINS
from openscc.config import paths
from openscc.config import subaccounts as model
from openscc.config.lookup import require_subaccount
from openscc.errors import Forbidden, Gone, InvalidConfiguration
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
LIST = paths.SUBACCOUNTS
ONE = f"{LIST}/{{region}}/{{subaccount}}"


def _subaccount(request: Request, *, with_secret: bool = False) -> EntityRecord:
    params = request.path_params
    return require_subaccount(
        store_of(request), params["region"], params["subaccount"], with_secret=with_secret
    )


@endpoints.route("GET", LIST, summary="All subaccounts", response_schema=ARRAY_OF_OBJECTS, **READ)
def list_subaccounts(request: ReadRequest, caller: Caller) -> Response:
    base = base_of(request)
    store = store_of(request)
    # A corrupted subaccount is not loaded, as in the product: it is listed under /corrupted.
    damaged = set(store.unreadable(kinds.SUBACCOUNT))
    records = store.children(kinds.SUBACCOUNT, None)
    return json_response(
        [model.summary_view(base, r.body) for r in records if r.key not in damaged]
    )


@endpoints.loop_route(
    "POST",
    LIST,
    summary="Add a subaccount (its key pair and certificate are generated locally)",
    status=201,
    request_fields=model.CREATE_FIELDS,
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
    pair = await svc.workers.run(model.local_certificate, new.region_host, new.subaccount)
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
    "GET",
    f"{LIST}/corrupted",
    summary="Subaccounts whose stored configuration was changed outside openscc and cannot be used",
    response_schema=ARRAY_OF_OBJECTS,
    **READ,
)
def list_corrupted(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.corrupted(store_of(request)))


@endpoints.route(
    "GET", ONE, summary="One subaccount with its tunnel", response_schema=OBJECT, **READ
)
def get_subaccount(request: ReadRequest, caller: Caller) -> Response:
    return json_response(model.view(base_of(request), _subaccount(request).body))


@endpoints.route(
    "PUT",
    ONE,
    summary="Change location ID, display name or description",
    request_fields=model.UPDATE_FIELDS,
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
    request_fields=model.STATE_FIELDS,
    **WRITE_SUBACCOUNT,
)
def put_state(request: ReadRequest, caller: Caller) -> Response:
    connect = model.STATE_FIELDS.read(json_object(request))["connected"]
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


@endpoints.loop_route(
    "POST",
    f"{ONE}/validity",
    summary="Renew the subaccount certificate (with cloud user and password, or authentication data)",
    request_fields=model.RENEWAL_FIELDS,
    response_schema=OBJECT,
    **WRITE_SUBACCOUNT,
)
async def renew_certificate(request: Request, caller: Caller) -> Response:
    secret, user = model.renewal_secret(await read_json_object(request))
    svc = services(request)
    store = svc.instance.store
    record = await svc.store_thread.run(_subaccount, request)
    # Making the key pair takes a while: in a worker, so the store thread serves others.
    pair = await svc.workers.run(
        model.local_certificate, record.body["regionHost"], record.body["subaccount"]
    )

    def replace() -> dict[str, object]:
        with store.transaction():
            current = _subaccount(request, with_secret=True)
            body = {**current.body, "certificatePem": pair.certificate_pem}
            if user is not None:
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


def _recovery_discontinued(request: ReadRequest, caller: Caller) -> Response:
    raise Gone(
        "Disaster recovery subaccounts were discontinued with Cloud Connector 2.16 (the Enhanced "
        "Disaster Recovery service ended); use high availability and backups instead"
    )


for _method, _suffix, _what in (
    ("POST", "recovery", "Create a recovery subaccount"),
    ("DELETE", "recovery", "Delete the recovery subaccount"),
    ("POST", "recovery/validity", "Refresh the recovery subaccount's certificate"),
    ("PUT", "recovery/state", "Activate or deactivate the recovery subaccount"),
    ("POST", "recovery/takeover", "Take over from the recovery subaccount"),
):
    endpoints.route(
        _method,
        f"{ONE}/{_suffix}",
        summary=f"{_what}: discontinued with 2.16, always 410",
        status=410,
        roles=SUBACCOUNT_ADMINS,
        tag="configuration",
        more_responses={"410": "NOT_FOUND: disaster recovery is discontinued"},
    )(_recovery_discontinued)

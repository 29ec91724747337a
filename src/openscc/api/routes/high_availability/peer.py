"""The wire protocol between a master and its shadow (``/api/internal/ha/...``; see
docs/high-availability.md), served by the master's side (openscc.ha.master) and, for the
takeover a master asks of its shadow, the roles (openscc.ha.roles). Binding takes an
administrator's user and password; everything else the pair's own credential (``peer_auth``),
which the router checks once and hands over as ``caller.peer``."""

from __future__ import annotations

from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from openscc import __version__
from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import empty_response, json_response
from openscc.auth.roles import ADMIN_ONLY
from openscc.config.connector_state import ha_role
from openscc.config.values import Fields, Number, Text, as_int
from openscc.errors import Conflict, Gone
from openscc.ha import apply, master, protocol, settings, state
from openscc.ha.master import ShadowClaim
from openscc.ha.pair import Pair
from openscc.ha.protocol import PREFIX, Position
from openscc.store import journal

endpoints = EndpointTable()
_PEER: dict[str, Any] = {
    "roles": ADMIN_ONLY,
    "peer_auth": True,
    "needs_ha_role": False,
    "tag": "high availability (internal)",
}
# The position of the master's journal the shadow must have applied to take over.
_TAKEOVER_FIELDS = Fields(
    Text(name="generation", required=True, max_length=64),
    Number(name="seq", required=True, minimum=0, maximum=2**62),
)


def _peer_of(caller: Caller) -> Pair:
    assert caller.peer is not None  # the router answered 401 otherwise
    return caller.peer


async def _claim(request: Request) -> tuple[ShadowClaim, str, frozenset[str]]:
    """What the shadow says of itself, the connection's address, and the addresses the allowed
    shadow host resolves to (resolved in a worker)."""
    claim = ShadowClaim.parse(await read_json_object(request))
    svc = services(request)
    ha = await svc.store_thread.run(settings.master_settings, svc.instance.store)
    resolved = await svc.workers.run(settings.resolve, ha.allowed_shadow_host.strip())
    return claim, request.client.host if request.client else "", resolved


async def _in_role(svc: Services, role: str) -> None:
    if await svc.store_thread.run(ha_role, svc.instance.store) != role:
        raise Conflict(f"this instance is not a {role}")


@endpoints.loop_route(
    "POST",
    f"{PREFIX}/bind",
    summary="A shadow binds to this master with an administrator's user and password; the "
    "answer is the pair's credential and the master's certificate",
    roles=ADMIN_ONLY,
    tag="high availability (internal)",
    request_fields=master.CLAIM_FIELDS,
    response_schema={"type": "object"},
)
async def bind(request: Request, caller: Caller) -> Response:
    claim, address, resolved = await _claim(request)
    svc = services(request)
    new, certificate = await svc.store_thread.run(
        master.bind, svc.ha.context, claim, address, resolved
    )
    master.bound(svc.ha.context, claim)
    svc.instance.audit.record(
        "ha.shadow_bound", actor=caller.user.name, address=address, shadow_says=claim.host
    )
    return json_response({"token": new.token, "instance": svc.instance.instance_id,
                          "certificate": certificate, "version": __version__})  # fmt: skip


@endpoints.loop_route(
    "POST",
    f"{PREFIX}/rebind",
    summary="The paired shadow binds again (after a disconnect, a restart, a role change)",
    request_fields=master.CLAIM_FIELDS,
    response_schema={"type": "object"},
    **_PEER,
)
async def rebind(request: Request, caller: Caller) -> Response:
    claim, address, resolved = await _claim(request)
    svc = services(request)
    await svc.store_thread.run(master.rebind, svc.ha.context, claim, address, resolved)
    master.bound(svc.ha.context, claim)
    # It rewrote the stored peer address and pinned certificates: a change, audited as one.
    svc.instance.audit.record(
        "ha.shadow_rebound", actor="shadow", address=address, shadow_says=claim.host
    )
    return json_response({"instance": svc.instance.instance_id, "version": __version__})


@endpoints.loop_route(
    "GET",
    f"{PREFIX}/snapshot",
    summary="The replicated configuration as an archive, with the journal's position",
    response_content_type="application/zip",
    **_PEER,
)
async def snapshot(request: Request, caller: Caller) -> Response:
    svc = services(request)
    await _in_role(svc, "master")
    path, position = await svc.workers.run(master.write_snapshot, svc.instance, _peer_of(caller))
    svc.ha.master.forget_position()
    return FileResponse(
        path,
        media_type="application/zip",
        headers={
            protocol.GENERATION_HEADER: position.generation,
            protocol.SEQ_HEADER: str(position.seq),
            "Cache-Control": "no-store",
        },
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@endpoints.loop_route(
    "GET",
    f"{PREFIX}/changes",
    summary="The changes after a position (waiting up to ``wait`` seconds for one); the shadow's "
    "check. 410: its history cannot be continued, sync the whole again",
    query=tuple(
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in ("generation", "after", "wait", "instance", "host", "interval", "delay")
    ),
    response_schema={"type": "object"},
    more_responses={"410": "The history cannot be continued: sync the whole configuration"},
    **_PEER,
)
async def changes(request: Request, caller: Caller) -> Response:
    svc = services(request)
    current = _peer_of(caller)
    query = request.query_params
    generation = query.get("generation", "")
    after = as_int(query.get("after", "0"), "after", minimum=0, maximum=2**62)
    wait = as_int(query.get("wait", "0"), "wait", minimum=0, maximum=60)
    interval = as_int(query.get("interval", "30"), "interval", minimum=1, maximum=3600)
    delay = as_int(query.get("delay", "30"), "delay", minimum=0, maximum=86_400)
    shadow_host = query.get("host", current.peer_host)[:255]
    await _in_role(svc, "master")

    def where() -> tuple[Position, bool]:
        conn = svc.instance.store.connection
        return state.position(svc.instance), journal.continues(conn, generation, after)

    async with svc.ha.change_waiter() as next_change:
        position, continues = await svc.store_thread.run(where)
        seen = Position(generation, after) if generation == position.generation else None
        svc.ha.master.checked(current.peer_instance, shadow_host, interval, delay, seen)
        if not continues:
            raise Gone("the shadow's history cannot be continued: sync the whole configuration")
        if after == position.seq and wait:
            await next_change(wait)
    page = await svc.store_thread.run(master.changes_page, svc.instance, current, after)
    return json_response({"generation": position.generation, **page})


@endpoints.loop_route(
    "POST",
    f"{PREFIX}/unbind",
    summary="The shadow disconnects (the pair stays: it may connect again without a password)",
    status=204,
    **_PEER,
)
async def unbind(request: Request, caller: Caller) -> Response:
    svc = services(request)
    svc.ha.master.released()
    address = request.client.host if request.client else ""
    svc.instance.audit.record("ha.shadow_unbound", actor="shadow", address=address)
    return empty_response()


@endpoints.loop_route(
    "GET",
    f"{PREFIX}/peer",
    summary="This instance's role, and from whom it took the master role over",
    response_schema={"type": "object"},
    **_PEER,
)
async def peer(request: Request, caller: Caller) -> Response:
    svc = services(request)
    role = await svc.store_thread.run(ha_role, svc.instance.store)
    return json_response({"role": role, "instance": svc.instance.instance_id,
                          "tookOverFrom": _peer_of(caller).took_over_from,
                          "version": __version__})  # fmt: skip


@endpoints.loop_route(
    "POST",
    f"{PREFIX}/takeover",
    summary="The master asks its shadow to take over (a role switch): it must be in sync",
    status=204,
    request_fields=_TAKEOVER_FIELDS,
    **_PEER,
)
async def takeover(request: Request, caller: Caller) -> Response:
    values = _TAKEOVER_FIELDS.read(await read_json_object(request))
    svc = services(request)
    await _in_role(svc, "shadow")
    wanted = Position(values["generation"], values["seq"])
    reached = await svc.store_thread.run(apply.applied, svc.instance.store)
    if reached != wanted:
        raise Conflict("the shadow has not applied every change of the master yet")
    await svc.ha.take_over(_peer_of(caller), "the master asked for a role switch")
    return empty_response()

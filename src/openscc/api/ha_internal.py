"""The wire protocol between a master and its shadow (``/api/internal/ha/...``; see
docs/high-availability.md). Binding takes an administrator's user and password on the master;
everything else the pair's own credential (``peer_auth``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from openscc import __version__
from openscc.api.context import Caller, Services, services
from openscc.api.endpoints import EndpointTable
from openscc.api.lenient import read_json_object
from openscc.api.responses import empty_response, json_response
from openscc.auth.roles import ADMIN_ONLY
from openscc.config import certs, kinds
from openscc.config.values import as_int, as_str, host
from openscc.connector_state import ha_role
from openscc.errors import Conflict, Gone, InvalidRequest
from openscc.ha import apply, pair, protocol, settings
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
_BIND_SCHEMA = {
    "type": "object",
    "properties": {
        "instance": {"type": "string"},
        "host": {"type": "string"},
        "port": {"type": "integer"},
        "certificate": {"type": "string"},
        "version": {"type": "string"},
        "interval": {"type": "integer"},
        "delay": {"type": "integer"},
    },
    "required": ["instance", "host", "port", "certificate"],
}


class _Shadow:
    """What a shadow says of itself when it binds."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.instance = as_str(data.get("instance"), "instance", max_length=64)
        self.host = host(as_str(data.get("host"), "host", max_length=255), "host")
        self.port = as_int(data.get("port"), "port", minimum=1, maximum=65535)
        self.certificate = as_str(data.get("certificate"), "certificate", max_length=64 * 1024)
        try:
            certs.load_certificate(self.certificate)
        except ValueError:
            raise InvalidRequest("certificate is not a PEM certificate") from None
        self.interval = as_int(data.get("interval", 30), "interval", minimum=1, maximum=3600)
        self.delay = as_int(data.get("delay", 30), "delay", minimum=0, maximum=86_400)


async def _allowed_addresses(svc: Services) -> frozenset[str]:
    """The addresses allowedShadowHost resolves to, resolved off the event loop."""
    ha = await svc.store_thread.run(settings.master_settings, svc.instance.store)
    return await svc.workers.run(settings.resolve, ha.allowed_shadow_host.strip())


def _master_may_bind(
    svc: Services, shadow: _Shadow, address: str, resolved: frozenset[str], rebind: bool
) -> Pair | None:
    """In the store thread: refuse unless this master takes this shadow; the current pair."""
    store = svc.instance.store
    if ha_role(store) != "master":
        raise Conflict("this instance is not a master")
    ha = settings.master_settings(store)
    if not ha.ha_enabled:
        raise Conflict("the master does not allow high availability (haEnabled is false)")
    if not ha.allows(address, resolved):
        raise Conflict(
            f"the master allows only {ha.allowed_shadow_host} to connect as shadow, not "
            f"{address or 'an unknown address'}"
        )
    current = svc.ha.read_pair()
    if rebind:
        if current is None or current.peer_instance != shadow.instance:
            raise Conflict("this shadow is not the master's; connect with a user and password")
    elif (
        current is not None
        and current.peer_instance != shadow.instance
        and not svc.ha.master.is_lost(True, shadow.interval)
    ):
        raise Conflict("another shadow instance is connected to this master")
    return current


def _own_certificate(svc: Services) -> str:
    record = svc.instance.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    assert record is not None
    return str(record.body["certificatePem"])


@endpoints.route(
    "POST",
    f"{PREFIX}/bind",
    summary="A shadow binds to this master with an administrator's user and password; the "
    "answer is the pair's credential and the master's certificate",
    roles=ADMIN_ONLY,
    tag="high availability (internal)",
    request_schema=_BIND_SCHEMA,
    response_schema={"type": "object"},
)
async def bind(request: Request, caller: Caller) -> Response:
    shadow = _Shadow(await read_json_object(request))
    svc = services(request)
    address = request.client.host if request.client else ""
    resolved = await _allowed_addresses(svc)

    def make_pair() -> tuple[Pair, str]:
        with svc.instance.store.transaction():
            _master_may_bind(svc, shadow, address, resolved, rebind=False)
            new = Pair(
                token=pair.new_token(),
                peer_instance=shadow.instance,
                peer_host=shadow.host,
                peer_port=shadow.port,
                peer_certificates=(shadow.certificate,),
                check_interval=shadow.interval,
                takeover_delay=shadow.delay,
            )
            svc.ha.save_pair(new)
            return new, _own_certificate(svc)

    new, certificate = await svc.store_thread.run(make_pair)
    svc.ha.master.bound(shadow.instance, shadow.host, shadow.interval, shadow.delay)
    svc.ha.wake()  # the master now watches its shadow
    svc.instance.audit.record(
        "ha.shadow_bound", actor=caller.user.name, address=address, shadow_says=shadow.host
    )
    return json_response(
        {
            "token": new.token,
            "instance": svc.instance.instance_id,
            "certificate": certificate,
            "version": __version__,
        }
    )


@endpoints.route(
    "POST",
    f"{PREFIX}/rebind",
    summary="The paired shadow binds again (after a disconnect, a restart, a role change)",
    request_schema=_BIND_SCHEMA,
    response_schema={"type": "object"},
    **_PEER,
)
async def rebind(request: Request, caller: Caller) -> Response:
    shadow = _Shadow(await read_json_object(request))
    svc = services(request)
    address = request.client.host if request.client else ""
    resolved = await _allowed_addresses(svc)

    def check() -> None:
        current = _master_may_bind(svc, shadow, address, resolved, rebind=True)
        assert current is not None
        svc.ha.save_pair(
            Pair(
                token=current.token,
                peer_instance=current.peer_instance,
                peer_host=shadow.host,
                peer_port=shadow.port,
                peer_certificates=current.with_certificate(shadow.certificate).peer_certificates,
                took_over_from="",
                check_interval=shadow.interval,
                takeover_delay=shadow.delay,
            )
        )

    await svc.store_thread.run(check)
    svc.ha.master.bound(shadow.instance, shadow.host, shadow.interval, shadow.delay)
    svc.ha.wake()  # the master now watches its shadow
    # It rewrote the stored peer address and pinned certificates: a change, audited as one.
    svc.instance.audit.record(
        "ha.shadow_rebound", actor="shadow", address=address, shadow_says=shadow.host
    )
    return json_response({"instance": svc.instance.instance_id, "version": __version__})


@endpoints.route(
    "GET",
    f"{PREFIX}/snapshot",
    summary="The replicated configuration as an archive, with the journal's position",
    response_content_type="application/zip",
    **_PEER,
)
async def snapshot(request: Request, caller: Caller) -> Response:
    svc = services(request)
    current = await svc.ha.authenticate_peer(request.headers.get("authorization", ""))
    if await svc.store_thread.run(ha_role, svc.instance.store) != "master":
        raise Conflict("this instance is not a master")
    folder = svc.instance.data_dir / "tmp"
    folder.mkdir(mode=0o700, exist_ok=True)

    def write() -> tuple[Path, Position]:
        fd, name = tempfile.mkstemp(dir=folder, prefix="ha-snapshot-", suffix=".zip")
        path = Path(name)
        try:
            with os.fdopen(fd, "w+b") as out:
                return path, protocol.write_snapshot(svc.instance, current.token, out)
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    path, position = await svc.workers.run(write)
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


@endpoints.route(
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
    current = await svc.ha.authenticate_peer(request.headers.get("authorization", ""))
    query = request.query_params
    generation = query.get("generation", "")
    after = as_int(query.get("after", "0"), "after", minimum=0, maximum=2**62)
    wait = as_int(query.get("wait", "0"), "wait", minimum=0, maximum=60)
    interval = as_int(query.get("interval", "30"), "interval", minimum=1, maximum=3600)
    delay = as_int(query.get("delay", "30"), "delay", minimum=0, maximum=86_400)
    shadow_host = query.get("host", current.peer_host)[:255]
    if await svc.store_thread.run(ha_role, svc.instance.store) != "master":
        raise Conflict("this instance is not a master")

    def where() -> tuple[Position, bool]:
        conn = svc.instance.store.connection
        return svc.ha.position(), journal.continues(conn, generation, after)

    async with svc.ha.change_waiter() as next_change:
        position, continues = await svc.store_thread.run(where)
        svc.ha.master.checked(
            current.peer_instance,
            shadow_host,
            interval,
            delay,
            Position(generation, after) if generation == position.generation else None,
        )
        if not continues:
            raise Gone("the shadow's history cannot be continued: sync the whole configuration")
        if after == position.seq and wait:
            await next_change(wait)

    own, sealer = svc.instance.sealer, protocol.pair_sealer(current.token)

    def read() -> tuple[list[dict[str, Any]], str]:
        rows = journal.changes_after(svc.instance.store.connection, after, protocol.MAX_CHANGES)
        return [protocol.encode_change(r, own, sealer) for r in rows], _own_certificate(svc)

    listed, certificate = await svc.store_thread.run(read)
    return json_response(
        {
            "generation": position.generation,
            "changes": listed,
            "version": __version__,
            "masterCertificate": certificate,
        }
    )


@endpoints.route(
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


@endpoints.route(
    "GET",
    f"{PREFIX}/peer",
    summary="This instance's role, and from whom it took the master role over",
    response_schema={"type": "object"},
    **_PEER,
)
async def peer(request: Request, caller: Caller) -> Response:
    svc = services(request)
    current = await svc.ha.authenticate_peer(request.headers.get("authorization", ""))
    role = await svc.store_thread.run(ha_role, svc.instance.store)
    return json_response(
        {
            "role": role,
            "instance": svc.instance.instance_id,
            "tookOverFrom": current.took_over_from,
            "version": __version__,
        }
    )


@endpoints.route(
    "POST",
    f"{PREFIX}/takeover",
    summary="The master asks its shadow to take over (a role switch): it must be in sync",
    status=204,
    request_schema={
        "type": "object",
        "properties": {"generation": {"type": "string"}, "seq": {"type": "integer"}},
        "required": ["generation", "seq"],
    },
    **_PEER,
)
async def takeover(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    svc = services(request)
    current = await svc.ha.authenticate_peer(request.headers.get("authorization", ""))
    if await svc.store_thread.run(ha_role, svc.instance.store) != "shadow":
        raise Conflict("this instance is not a shadow")
    wanted = Position(
        as_str(data.get("generation"), "generation", max_length=64),
        as_int(data.get("seq"), "seq", minimum=0, maximum=2**62),
    )
    reached = await svc.store_thread.run(apply.applied, svc.instance.store)
    if reached != wanted:
        raise Conflict("the shadow has not applied every change of the master yet")
    await svc.ha.take_over(current, reason="the master asked for a role switch")
    return empty_response()

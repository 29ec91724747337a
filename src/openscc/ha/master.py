"""The master's side: what it does for its shadow's requests (bind, rebind, a page of changes,
the snapshot) and its watch of the shadow, as plain functions of the HA context.

Binding takes an administrator's user and password (checked by the guard); everything else
the pair's own credential (checked once, by the router, before any of these is called). The
allowed shadow host is compared with the connection's own address, never with what the shadow
says of itself.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from openscc import __version__
from openscc.alerts.model import HA
from openscc.config import certs
from openscc.config.values import Fields, Number, Text
from openscc.errors import Conflict, InvalidRequest, OpensccError
from openscc.ha import peer, protocol, roles, settings, state
from openscc.ha.context import HaContext
from openscc.ha.pair import Pair, new_token
from openscc.ha.peer import Timeouts, client
from openscc.ha.protocol import PREFIX, Position
from openscc.instance import Instance
from openscc.store import journal

logger = logging.getLogger("openscc.ha")


# What a shadow sends when it binds (bind and rebind), as the connecting side writes it.
CLAIM_FIELDS = Fields(
    Text(name="instance", required=True, max_length=64, description="the shadow's instance id"),
    Text(name="host", required=True, max_length=255, host=True,
         description="the shadow's host name, where the master reaches it"),
    Number(name="port", required=True, minimum=1, maximum=65535),
    Text(name="certificate", required=True, max_length=64 * 1024,
         description="PEM: the shadow's certificate, which the master pins"),
    Text(name="version", description="the shadow's openscc version, for information"),
    Number(name="interval", default=30, minimum=1, maximum=3600,
           description="the shadow's check interval in seconds"),
    Number(name="delay", default=30, minimum=0, maximum=86_400,
           description="the shadow's takeover delay in seconds"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ShadowClaim:
    """What a shadow says of itself when it binds (its address is the connection's)."""

    instance: str
    host: str
    port: int
    certificate: str
    interval: int
    delay: int

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ShadowClaim:
        values = CLAIM_FIELDS.read(data)
        try:
            certs.load_certificate(values["certificate"])
        except ValueError:
            raise InvalidRequest("certificate is not a PEM certificate") from None
        return cls(
            instance=values["instance"],
            host=values["host"],
            port=values["port"],
            certificate=values["certificate"],
            interval=values["interval"],
            delay=values["delay"],
        )


# Binding (in the store thread)


def _may_bind(
    ctx: HaContext, claim: ShadowClaim, address: str, resolved: frozenset[str], rebind: bool
) -> Pair | None:
    """Refuse unless this master takes this shadow; the current pair."""
    store = ctx.instance.store
    current = state.read(ctx.instance)
    if current.role != "master":
        raise Conflict("this instance is not a master")
    ha = settings.master_settings(store)
    if not ha.ha_enabled:
        raise Conflict("the master does not allow high availability (haEnabled is false)")
    if not ha.allows(address, resolved):
        raise Conflict(
            f"the master allows only {ha.allowed_shadow_host} to connect as shadow, not "
            f"{address or 'an unknown address'}"
        )
    paired = current.pair
    if rebind:
        if paired is None or paired.peer_instance != claim.instance:
            raise Conflict("this shadow is not the master's; connect with a user and password")
    elif (
        paired is not None
        and paired.peer_instance != claim.instance
        and not ctx.master.is_lost(True, claim.interval)
    ):
        raise Conflict("another shadow instance is connected to this master")
    return paired


def bind(
    ctx: HaContext, claim: ShadowClaim, address: str, resolved: frozenset[str]
) -> tuple[Pair, str]:
    """A new pair with the shadow that bound; the pair and this master's certificate."""
    instance = ctx.instance
    with instance.store.transaction():
        _may_bind(ctx, claim, address, resolved, rebind=False)
        new = Pair(
            token=new_token(),
            peer_instance=claim.instance,
            peer_host=claim.host,
            peer_port=claim.port,
            peer_certificates=(claim.certificate,),
            check_interval=claim.interval,
            takeover_delay=claim.delay,
        )
        state.save_pair(instance, new)
        return new, state.own_certificate(instance)


def rebind(ctx: HaContext, claim: ShadowClaim, address: str, resolved: frozenset[str]) -> None:
    """The paired shadow binds again: its address, check timing and certificate as it says."""
    instance = ctx.instance
    with instance.store.transaction():
        current = _may_bind(ctx, claim, address, resolved, rebind=True)
        assert current is not None
        state.save_pair(
            instance,
            Pair(
                token=current.token,
                peer_instance=current.peer_instance,
                peer_host=claim.host,
                peer_port=claim.port,
                peer_certificates=current.with_certificate(claim.certificate).peer_certificates,
                took_over_from="",
                check_interval=claim.interval,
                takeover_delay=claim.delay,
            ),
        )


def bound(ctx: HaContext, claim: ShadowClaim) -> None:
    """After a bind or a rebind: the master watches its shadow from now on."""
    ctx.master.bound(claim.instance, claim.host, claim.interval, claim.delay)
    ctx.wakeup.wake()


# What the shadow asks for


def write_snapshot(instance: Instance, current: Pair) -> tuple[Path, Position]:
    """In a worker: the replicated configuration as an archive in a temporary file, and the
    journal's position then."""
    folder = instance.layout.tmp
    folder.mkdir(mode=0o700, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix="ha-snapshot-", suffix=".zip")
    path = Path(name)
    try:
        with os.fdopen(fd, "w+b") as out:
            return path, protocol.write_snapshot(instance, current.token, out)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def changes_page(instance: Instance, current: Pair, after: int) -> dict[str, Any]:
    """In the store thread: the changes after ``after`` (at most a page), sealed for the pair,
    with this master's certificate (a new one is announced before it is used)."""
    own, sealer = instance.sealer, protocol.pair_sealer(current.token)
    rows = journal.changes_after(instance.store.connection, after, protocol.MAX_CHANGES)
    return {
        "changes": [protocol.encode_change(r, own, sealer) for r in rows],
        "version": __version__,
        "masterCertificate": state.own_certificate(instance),
    }


# The watch of the shadow (the HA task, on a master)


async def watch(ctx: HaContext, current: Pair, *, first: bool) -> None:
    """One look at the shadow. At the first look after a start, and whenever the shadow is
    lost, ask its address whether it took the master role over: then relinquish."""
    if first:
        await _ask_peer(ctx, current)
        return
    if ctx.master.is_released:
        return  # the shadow disconnected on purpose: it is not lost
    seen = ctx.master.seen()
    if ctx.master.is_lost(True, seen.check_interval if seen else 30):
        ctx.alerts.raise_alert(
            HA, "The shadow instance stopped checking in: it is lost", entity="shadow",
            status="Warning",
        )  # fmt: skip
        await _ask_peer(ctx, current)
        return
    ctx.alerts.resolve_alert(HA, "The shadow instance is connected again", entity="shadow")
    if seen is not None and seen.position is not None:
        await ctx.store_thread.run(state.prune, ctx.instance, seen.position)


async def _ask_peer(ctx: HaContext, current: Pair) -> None:
    timeouts = Timeouts(1000, 5000)
    try:
        async with (
            client(current.peer_host, current.peer_port, current.peer_certificates, timeouts,
                   current.token) as http,
            http.stream("GET", f"{PREFIX}/peer") as response,
        ):  # fmt: skip
            if response.status_code != 200:
                return
            answer = await peer.read_json(response, ctx.workers, 64 * 1024)
    except (httpx.HTTPError, OpensccError):
        return
    if not isinstance(answer, dict):
        return
    if answer.get("role") == "master" and answer.get("tookOverFrom") == ctx.instance.instance_id:
        logger.warning(
            "high availability: the shadow took over the master role; this instance becomes "
            "its shadow"
        )
        await roles.become_shadow(
            ctx,
            current,
            reason="the shadow took over the master role (after a failover or a network split)",
            keep_backup=True,
        )

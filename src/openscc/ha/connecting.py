"""CONNECT and DISCONNECT, the shadow's API: binding to a master as a new pair (with an
administrator's user and password), binding the known pair again, and telling the master of a
disconnect.

The first CONNECT verifies the master against ``masterCertificate`` when given; without it, as
the product's pages describe (log on with the master's user and password, then the instances
exchange certificates), it trusts the certificate the master presents on first use and pins it,
its SHA-256 fingerprint shown in the shadow's state and the audit log. props.ini ``[ha]
require_master_certificate = true`` refuses a first CONNECT without ``masterCertificate``."""

from __future__ import annotations

import logging
import socket
from typing import Any

import httpx

from openscc import __version__
from openscc.errors import Conflict, InvalidRequest, OpensccError
from openscc.ha import peer, state
from openscc.ha.context import HaContext
from openscc.ha.pair import Pair
from openscc.ha.peer import (
    Timeouts,
    client,
    fingerprint,
    raise_for_answer,
    reason_of,
    served_certificate,
)
from openscc.ha.protocol import PREFIX
from openscc.ha.settings import ShadowSettings
from openscc.ha.shadow import (
    DISCONNECTED,
    DISCONNECTING,
    HANDSHAKE,
    INITSYNC,
    ShadowLink,
    ShadowStatus,
)
from openscc.logsafe import shown

logger = logging.getLogger("openscc.ha")


async def connect(
    ctx: HaContext,
    link: ShadowLink,
    shadow: ShadowSettings,
    user: str | None,
    password: str | None,
    ca_pem: str | None,
) -> None:
    """CONNECT: with user and password, bind to the master as a new pair; without, bind the
    known pair again."""
    if not shadow.configured:
        raise InvalidRequest("masterHost and masterPort must be set first (PUT ha/shadow/config)")
    current = await ctx.pair()
    body = {
        "instance": ctx.instance.instance_id,
        "host": shadow.own_host or socket.getfqdn(),
        "port": shadow.ha_port or ctx.ui_port,
        "certificate": await ctx.store_thread.run(state.own_certificate, ctx.instance),
        "version": __version__,
        "interval": shadow.check_interval,
        "delay": shadow.takeover_delay,
    }
    link.status = ShadowStatus(HANDSHAKE, "", link.status.master_version)
    timeouts = Timeouts(shadow.connect_timeout_ms, shadow.request_timeout_ms)
    trust = "masterCertificate" if ca_pem else "first use"
    try:
        if user:
            if password is None:
                raise InvalidRequest("password is required with user")
            if ca_pem is None:
                ca_pem = await _presented_certificate(ctx, shadow, timeouts)
            current = await _bind(ctx, shadow, body, user, password, ca_pem, timeouts)
        else:
            await _rebind(link, shadow, body, current)
    except httpx.HTTPError as error:
        link.status = ShadowStatus(DISCONNECTED, reason_of(error), link.status.master_version)
        hint = await ctx.workers.run(_unverified_hint, shadow, error, timeouts)
        raise OpensccError(hint) from None
    except OpensccError as error:
        link.status = ShadowStatus(DISCONNECTED, error.message, link.status.master_version)
        raise
    assert current is not None
    await ctx.store_thread.run(state.bound_as_shadow, ctx.instance, current)
    link.reset(INITSYNC)
    details: dict[str, str] = {}
    if user:
        details = {"masterFingerprint": fingerprint(current.peer_certificates[0]), "trust": trust}
    ctx.audit.record(
        "ha.connected", actor=None, master=f"{shadow.master_host}:{shadow.master_port}", **details
    )
    ctx.wakeup.wake()


async def _presented_certificate(ctx: HaContext, shadow: ShadowSettings, timeouts: Timeouts) -> str:
    """The certificate the master presents, for a first CONNECT without masterCertificate: the
    bind is then made to a server presenting exactly it (trust on first use)."""
    where = f"{shadow.master_host}:{shadow.master_port}"
    if ctx.instance.props.require_master_certificate:
        raise InvalidRequest(
            f"props.ini [ha] require_master_certificate is set: give the master's UI certificate "
            f"as masterCertificate with CONNECT (the master at {where})"
        )
    pem = await ctx.workers.run(
        served_certificate, shadow.master_host, shadow.master_port, timeouts.connect_ms / 1000
    )
    if pem is None:
        raise OpensccError(f"the master at {where} cannot be reached")
    logger.info(
        "high availability: trusting the certificate the master at %s presents on first use "
        "(SHA-256 %s)", shown(where), fingerprint(pem),
    )  # fmt: skip
    return pem


async def _bind(
    ctx: HaContext,
    shadow: ShadowSettings,
    body: dict[str, Any],
    user: str,
    password: str,
    ca_pem: str,
    timeouts: Timeouts,
) -> Pair:
    pinned = (ca_pem,)
    async with (
        client(shadow.master_host, shadow.master_port, pinned, timeouts) as http,
        http.stream("POST", f"{PREFIX}/bind", json=body, auth=(user, password)) as response,
    ):
        if response.status_code == 401:
            raise InvalidRequest("the master refused the user or password")
        await raise_for_answer(response)
        answer = await peer.read_json(response, ctx.workers)
    return Pair(
        token=str(answer["token"]),
        peer_instance=str(answer["instance"]),
        peer_host=shadow.master_host,
        peer_port=shadow.master_port,
        peer_certificates=(str(answer["certificate"]),),
    )


async def _rebind(
    link: ShadowLink, shadow: ShadowSettings, body: dict[str, Any], current: Pair | None
) -> None:
    if current is None:
        raise InvalidRequest("user and password are required for the first connection to a master")
    async with link.client(current, shadow) as http:
        response = await http.post(f"{PREFIX}/rebind", json=body)
    if response.status_code == 401:
        raise Conflict(
            "the master no longer knows this shadow: reset it and connect with a user and password"
        )
    await raise_for_answer(response)


async def disconnect(ctx: HaContext, link: ShadowLink, shadow: ShadowSettings) -> None:
    link.status = ShadowStatus(DISCONNECTING, "", link.status.master_version)
    await ctx.store_thread.run(state.set_link, ctx.instance, False)
    current = await ctx.pair()
    if current is not None and shadow.configured:
        try:
            async with link.client(current, shadow) as http:
                await http.post(f"{PREFIX}/unbind", json={"instance": ctx.instance.instance_id})
        except httpx.HTTPError as error:
            logger.info(
                "high availability: the master was not told of the disconnect (%s)",
                shown(reason_of(error)),
            )
    link.status = ShadowStatus(DISCONNECTED, "", link.status.master_version)
    ctx.audit.record("ha.disconnected", actor=None)


def _unverified_hint(shadow: ShadowSettings, error: httpx.HTTPError, timeouts: Timeouts) -> str:
    reason = reason_of(error)
    if "CERTIFICATE_VERIFY_FAILED" not in reason and "certificate verify failed" not in reason:
        return (
            f"the master at {shadow.master_host}:{shadow.master_port} cannot be reached: {reason}"
        )
    pem = served_certificate(shadow.master_host, shadow.master_port, timeouts.connect_ms / 1000)
    seen = (
        f" (it presents a certificate with SHA-256 fingerprint {fingerprint(pem)})" if pem else ""
    )
    return (
        f"the master's certificate at {shadow.master_host}:{shadow.master_port} is not trusted"
        f"{seen}: give the master's UI certificate as masterCertificate with CONNECT, after "
        "checking its fingerprint on the master"
    )

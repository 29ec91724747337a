"""The changes of role: a shadow takes over (failover, or a switch its master asked for), a
master becomes its peer's shadow (a switch, or relinquishing after a network split, keeping its
own configuration in a safety backup), and the switch a master starts."""

from __future__ import annotations

import asyncio
import logging

import httpx

from openscc.alerts.model import HA
from openscc.errors import Conflict, OpensccError
from openscc.ha import state
from openscc.ha.context import HaContext
from openscc.ha.pair import Pair
from openscc.ha.peer import Timeouts, client, raise_for_answer, reason_of
from openscc.ha.protocol import PREFIX
from openscc.ha.shadow import HANDSHAKE, INITIAL
from openscc.ha.split import write_split_backup
from openscc.logsafe import shown

logger = logging.getLogger("openscc.ha")


async def take_over(ctx: HaContext, current: Pair, *, reason: str) -> None:
    """This shadow becomes the master."""
    await ctx.store_thread.run(state.became_master, ctx.instance, current)
    ctx.master.unbound()
    ctx.role_changed(INITIAL)
    logger.warning("high availability: took over the master role (%s)", shown(reason))
    ctx.audit.record("ha.took_over", actor=None, reason=reason, former_master=current.peer_instance)
    ctx.alerts.raise_alert(
        HA, f"This instance took over the master role: {reason}", entity="takeover",
        status="Warning",
    )  # fmt: skip


async def become_shadow(
    ctx: HaContext, current: Pair, *, reason: str, keep_backup: bool
) -> str | None:
    """This master becomes the shadow of its peer; with ``keep_backup`` (relinquishing after
    a split) its configuration is first kept in a safety backup, whose name it returns."""
    backup = None
    if keep_backup:
        backup = await ctx.workers.run(write_split_backup, ctx.instance)
    await ctx.store_thread.run(state.became_shadow, ctx.instance, current)
    ctx.master.unbound()
    ctx.role_changed(HANDSHAKE)
    ctx.audit.record(
        "ha.became_shadow",
        actor=None,
        reason=reason,
        new_master=current.peer_instance,
        safety_backup=backup or "",
    )
    ctx.wakeup.wake()
    return backup


async def switch(ctx: HaContext, *, force: bool) -> None:
    """SWITCH: once the connected shadow has every change, it takes over, then this master
    becomes its shadow. FORCE_SWITCH: become the shadow even if the shadow does not answer.
    Changes are refused meanwhile (``MasterSide.switching``)."""
    current = await ctx.pair()
    if current is None or (ctx.master.seen() is None and not force):
        raise Conflict("no shadow is connected to switch roles with")
    ctx.master.switching = True
    try:
        await _hand_over(ctx, current, force=force)
        await become_shadow(ctx, current, reason="a role switch", keep_backup=False)
    finally:
        ctx.master.switching = False


async def _hand_over(ctx: HaContext, current: Pair, *, force: bool) -> None:
    timeouts = Timeouts(1000, 12000)
    try:
        await _ask_to_take_over(ctx, current, timeouts)
    except (httpx.HTTPError, OpensccError) as error:
        if not force:
            raise Conflict(f"the shadow did not take over: {reason_of(error)}") from None
        logger.warning(
            "high availability: forcing the switch; the shadow did not take over (%s)",
            shown(reason_of(error)),
        )


async def _ask_to_take_over(ctx: HaContext, current: Pair, timeouts: Timeouts) -> None:
    deadline = ctx.clock() + timeouts.request_ms / 1000
    while True:
        position = await ctx.position()
        if ctx.master.in_sync(position.generation, position.seq):
            break
        if ctx.clock() > deadline:
            raise Conflict("the shadow is not in sync with the master")
        await asyncio.sleep(0.05)
    async with client(
        current.peer_host, current.peer_port, current.peer_certificates, timeouts, current.token
    ) as http:
        response = await http.post(
            f"{PREFIX}/takeover", json={"generation": position.generation, "seq": position.seq}
        )
    await raise_for_answer(response)

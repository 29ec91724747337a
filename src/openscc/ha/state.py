"""This instance's high-availability state as the store keeps it, read and changed in the store
thread: its role, its pair with the peer, the shadow's link and settings, the position it has
applied, the journal's position. Each change of role is one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace

from openscc import kinds
from openscc.config.connector_state import ha_role, update_connector
from openscc.ha import apply, pair, settings
from openscc.ha.pair import Pair
from openscc.ha.protocol import Position
from openscc.ha.settings import ShadowSettings
from openscc.instance import Instance
from openscc.store import journal


@dataclass(frozen=True, slots=True)
class HaState:
    role: str | None
    pair: Pair | None
    shadow: ShadowSettings
    linked: bool  # a shadow that should stay connected to its master

    @property
    def shadow_to_follow(self) -> bool:
        return (
            self.role == "shadow"
            and self.linked
            and self.pair is not None
            and self.shadow.configured
        )


def read(instance: Instance) -> HaState:
    store = instance.store
    conn = store.connection
    return HaState(
        role=ha_role(store),
        pair=pair.load(conn, instance.sealer),
        shadow=settings.shadow_settings(store),
        linked=pair.linked(conn),
    )


def read_pair(instance: Instance) -> Pair | None:
    return pair.load(instance.store.connection, instance.sealer)


def position(instance: Instance) -> Position:
    conn = instance.store.connection
    return Position(journal.generation(conn), journal.last_seq(conn))


def following(instance: Instance, current: Pair) -> bool:
    """Still the connected shadow of this pair (a DISCONNECT or a role change ends it)."""
    now = read(instance)
    return (
        now.role == "shadow" and now.linked and now.pair is not None
        and now.pair.token == current.token
    )  # fmt: skip


def save_pair(instance: Instance, value: Pair) -> None:
    store = instance.store
    with store.transaction():
        pair.save(store.connection, instance.sealer, value)


def forget_pair(instance: Instance) -> None:
    store = instance.store
    with store.transaction():
        pair.forget(store.connection)


def set_link(instance: Instance, on: bool) -> None:
    store = instance.store
    with store.transaction():
        pair.set_link(store.connection, on)


def bound_as_shadow(instance: Instance, current: Pair) -> None:
    """A CONNECT bound this shadow to a master: the pair, the link on, and the master's whole
    configuration first."""
    store = instance.store
    with store.transaction():
        pair.save(store.connection, instance.sealer, current)
        pair.set_link(store.connection, True)
        apply.forget_position(store)


def became_master(instance: Instance, current: Pair) -> None:
    """This shadow took the master role over from its peer: a master that allows a shadow, a
    new history, the pair remembering whom it took over from."""
    store = instance.store
    with store.transaction():
        update_connector(store, haRole="master")
        ha_master = settings.master_settings(store)
        settings.save_master(store, replace(ha_master, ha_enabled=True))
        journal.new_generation(store.connection)
        pair.save(
            store.connection,
            instance.sealer,
            replace(current, took_over_from=current.peer_instance),
        )
        pair.drop_link(store.connection)
        apply.forget_position(store)


def became_shadow(instance: Instance, current: Pair) -> None:
    """This master becomes its peer's shadow: it follows the peer, checking as the pair's
    shadow did unless it has shadow settings of its own."""
    store = instance.store
    with store.transaction():
        update_connector(store, haRole="shadow")
        own = settings.shadow_settings(store)
        configured = store.exists(kinds.HA_SHADOW_CONFIG, kinds.SINGLETON_KEY)
        settings.save_shadow(
            store,
            replace(
                own,
                master_host=current.peer_host,
                master_port=current.peer_port,
                check_interval=own.check_interval if configured else current.check_interval,
                takeover_delay=own.takeover_delay if configured else current.takeover_delay,
            ),
        )
        pair.save(store.connection, instance.sealer, replace(current, took_over_from=""))
        pair.set_link(store.connection, True)
        apply.forget_position(store)


def prune(instance: Instance, acked: Position) -> None:
    """Forget the changes the shadow has applied (the journal keeps its position)."""
    store = instance.store
    with store.transaction():
        if journal.generation(store.connection) == acked.generation:
            journal.prune(store.connection, before=acked.seq)


def own_certificate(instance: Instance) -> str:
    record = instance.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    assert record is not None
    return str(record.body["certificatePem"])

"""The pure parts of replication, without processes: the journal's changes on the wire, their
application on a shadow, the initial sync's archive, the settings' rules and the master's view
of its shadow."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openscc import SCC_API_VERSION, __version__, kinds
from openscc.backup.archive import write_archive
from openscc.backup.kdf import test_kdf
from openscc.errors import CorruptArchive, InvalidRequest, OpensccError
from openscc.ha import apply, protocol, settings
from openscc.ha.checks import ALONE, BINDING, BROKEN, CONNECTED, MasterSide
from openscc.ha.pair import archive_password
from openscc.ha.protocol import Position
from openscc.instance import Instance, open_instance
from openscc.settings import Settings
from openscc.store import journal
from openscc.store.records import EntityRecord

TOKEN = "a-pair-token-0123456789abcdef0123456789abcdef"
SUBACCOUNT = "subaccount"


def _open(path: Path) -> Instance:
    return open_instance(Settings(data_dir=path, kdf_profile="test", admin_password="Pa55-word"))


@pytest.fixture
def master(tmp_path: Path) -> Iterator[Instance]:
    instance = _open(tmp_path / "master")
    yield instance
    instance.close()


@pytest.fixture
def shadow(tmp_path: Path) -> Iterator[Instance]:
    instance = _open(tmp_path / "shadow")
    yield instance
    instance.close()


def _subaccount(name: str, password: str) -> EntityRecord:
    return EntityRecord(
        kind=SUBACCOUNT,
        key=kinds.subaccount_key("cf.eu10", name),
        parent=None,
        body={"subaccount": name, "regionHost": "cf.eu10"},
        secret={"cloudPassword": password},
    )


def _replicated(instance: Instance) -> dict[tuple[str, str], Any]:
    store = instance.store
    return {
        (r.kind, r.key): (r.parent, r.body, r.secret)
        for r in store.iter_all()
        if protocol.kinds.is_replicated(r.kind, r.key) and r.kind != "connector"
    }


def _ship(master: Instance, after: int = 0) -> tuple[list[protocol.WireChange], Position]:
    """The master's changes after ``after``, through the wire encoding and back."""
    conn = master.store.connection
    pair = protocol.pair_sealer(TOKEN)
    rows = journal.changes_after(conn, after, protocol.MAX_CHANGES)
    wire = [protocol.encode_change(row, master.sealer, pair) for row in rows]
    decoded = [protocol.decode_change(item, pair) for item in wire]
    return decoded, Position(journal.generation(conn), journal.last_seq(conn))


def test_changes_reach_the_shadow_in_order_and_secrets_travel_sealed(
    master: Instance, shadow: Instance
) -> None:
    store = master.store
    store.put(_subaccount("one", "first-secret"))
    store.put(_subaccount("two", "second-secret"))
    store.update_body(
        SUBACCOUNT,
        kinds.subaccount_key("cf.eu10", "one"),
        {"subaccount": "one", "description": "x"},
    )
    store.delete(SUBACCOUNT, kinds.subaccount_key("cf.eu10", "two"))
    pair = protocol.pair_sealer(TOKEN)
    rows = journal.changes_after(store.connection, 0, 100)
    wire = [protocol.encode_change(row, master.sealer, pair) for row in rows]
    assert "first-secret" not in repr(wire)  # sealed for the pair, never in clear

    changes, position = _ship(master)
    apply.apply_changes(shadow.store, changes, position)

    assert _replicated(shadow) == _replicated(master)
    assert apply.applied(shadow.store) == position
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)


def test_each_instance_keeps_its_own_entities(master: Instance, shadow: Instance) -> None:
    """Users, the UI certificate and log levels are never journaled nor applied."""
    shadow_users = sorted(r.key for r in shadow.store.iter_all() if r.kind == kinds.USER)
    shadow_certificate = shadow.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    before = journal.last_seq(master.store.connection)
    master.store.put(
        EntityRecord(kind=kinds.USER, key="operator", parent=None, body={"role": "Monitoring"})
    )
    assert journal.last_seq(master.store.connection) == before

    snapshot = io.BytesIO()
    position = protocol.write_snapshot(master, TOKEN, snapshot)
    snapshot.seek(0)
    apply.apply_snapshot(shadow.store, protocol.read_snapshot(snapshot, TOKEN), position)

    assert sorted(r.key for r in shadow.store.iter_all() if r.kind == kinds.USER) == shadow_users
    assert shadow.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY) == shadow_certificate


def test_the_initial_sync_replaces_the_replicated_configuration(
    master: Instance, shadow: Instance
) -> None:
    # A secret long enough that random ciphertext cannot contain it by chance.
    secret = "initial-sync-secret-never-in-clear"
    master.store.put(_subaccount("on-the-master", secret))
    shadow.store.put(_subaccount("stale-on-the-shadow", "s2"))
    snapshot = io.BytesIO()
    position = protocol.write_snapshot(master, TOKEN, snapshot)
    assert secret.encode() not in snapshot.getvalue()
    snapshot.seek(0)

    apply.apply_snapshot(shadow.store, protocol.read_snapshot(snapshot, TOKEN), position)

    assert _replicated(shadow) == _replicated(master)
    assert apply.applied(shadow.store) == position


def test_a_snapshot_read_with_another_token_changes_nothing(
    master: Instance, shadow: Instance
) -> None:
    master.store.put(_subaccount("on-the-master", "s1"))
    shadow.store.put(_subaccount("kept", "s2"))
    before = _replicated(shadow)
    snapshot = io.BytesIO()
    position = protocol.write_snapshot(master, TOKEN, snapshot)
    snapshot.seek(0)

    with pytest.raises(OpensccError):
        apply.apply_snapshot(
            shadow.store, protocol.read_snapshot(snapshot, "another-token"), position
        )

    assert _replicated(shadow) == before
    assert apply.applied(shadow.store) is None


def test_a_snapshot_carrying_a_local_entity_is_refused(master: Instance) -> None:
    snapshot = io.BytesIO()
    protocol.write_snapshot(master, TOKEN, snapshot)
    snapshot.seek(0)
    records = list(protocol.read_snapshot(snapshot, TOKEN))
    assert all(protocol.kinds.is_replicated(r.kind, r.key) for r in records)
    # A hostile master cannot send this shadow a user.
    forged = io.BytesIO()
    write_archive(
        forged,
        records=[EntityRecord(kind=kinds.USER, key="intruder", parent=None, body={})],
        files={},
        password=archive_password(TOKEN),
        kdf=test_kdf(),
        product_version=__version__,
        scc_api_version=SCC_API_VERSION,
        source_instance="a-hostile-master",
        created_at_ms=0,
        keys_unique=True,
    )
    forged.seek(0)
    with pytest.raises(CorruptArchive, match="not the master's to send"):
        list(protocol.read_snapshot(forged, TOKEN))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("not an object", "must be an object"),
        ({"seq": 1, "op": "drop", "kind": SUBACCOUNT, "key": "k"}, "no known operation"),
        ({"seq": 1, "op": "put", "kind": "nonsense", "key": "k"}, "unknown kind"),
        ({"seq": 1, "op": "put", "kind": kinds.USER, "key": "admin"}, "not the master's"),
        ({"seq": True, "op": "delete", "kind": SUBACCOUNT, "key": "k"}, "sequence number"),
        ({"seq": 1, "op": "put", "kind": SUBACCOUNT, "key": "k", "body": {}}, "JSON text"),
    ],
)
def test_a_malformed_change_is_refused(change: Any, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        protocol.decode_change(change, protocol.pair_sealer(TOKEN))


def test_a_change_sealed_for_another_pair_is_refused(master: Instance) -> None:
    master.store.put(_subaccount("one", "secret"))
    row = journal.changes_after(master.store.connection, 0, 10)[-1]
    wire = protocol.encode_change(row, master.sealer, protocol.pair_sealer("other-pair"))
    with pytest.raises(OpensccError):
        protocol.decode_change(wire, protocol.pair_sealer(TOKEN))


# Settings


def test_shadow_settings_keep_what_a_put_leaves_out_and_check_their_limits() -> None:
    current = settings.parse_shadow({}, _default_shadow(), 8443)
    changed = settings.parse_shadow(
        {"masterHost": "master.example", "masterPort": "8443", "haPort": 8443}, current, 8443
    )
    assert changed.master_host == "master.example"
    assert changed.master_port == 8443
    assert changed.ha_port == 0  # the UI port: no listener of its own
    assert changed.check_interval == 30
    for bad in (
        {"checkIntervalInSeconds": 0},
        {"takeoverDelayInSeconds": -1},
        {"masterPort": 70000},
        {"masterHost": "not a host!"},
        {"unknownField": 1},
    ):
        with pytest.raises(InvalidRequest):
            settings.parse_shadow(bad, changed, 8443)


def test_master_settings_allow_one_shadow_host_or_any() -> None:
    anyone = settings.parse_master(
        {"haEnabled": "true"},
        settings.MasterSettings(ha_enabled=False, ha_port=0, allowed_shadow_host=""),
        8443,
    )
    assert anyone.ha_enabled
    assert anyone.allows("192.0.2.7", frozenset())
    one = settings.parse_master({"allowedShadowHost": "Shadow.Example"}, anyone, 8443)
    # The connection's own address decides, against what the allowed name resolves to.
    assert one.allows("192.0.2.7", frozenset({"192.0.2.7"}))
    assert one.allows("::ffff:192.0.2.7", frozenset({"192.0.2.7"}))
    assert not one.allows("192.0.2.8", frozenset({"192.0.2.7"}))
    by_address = settings.parse_master({"allowedShadowHost": "192.0.2.7"}, anyone, 8443)
    assert by_address.allows("192.0.2.7", frozenset())
    with pytest.raises(InvalidRequest):
        settings.parse_master({"haPort": 0}, one, 8443)


def _default_shadow() -> settings.ShadowSettings:
    return settings.ShadowSettings(
        master_host="",
        master_port=0,
        own_host="",
        ha_port=0,
        check_interval=30,
        takeover_delay=30,
        connect_timeout_ms=1000,
        request_timeout_ms=12000,
    )


# The master's view of its shadow


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_master_states_follow_its_shadows_checks() -> None:
    clock = _Clock()
    side = MasterSide(clock)
    assert side.state(False, "g", 5) == (ALONE, "")

    side.bound("shadow-id", "shadow.example", check_interval=2, takeover_delay=5)
    assert side.state(True, "g", 5) == (BINDING, "shadow.example")

    side.checked("shadow-id", "shadow.example", 2, 5, Position("g", 5))
    assert side.state(True, "g", 5) == (CONNECTED, "shadow.example")
    assert side.in_sync("g", 5)
    assert not side.in_sync("g", 6)

    clock.now += 3 * 2 + 0.1  # three check intervals without a check
    assert side.state(True, "g", 5) == (BROKEN, "shadow.example")
    assert side.is_lost(True)

    side.checked("shadow-id", "shadow.example", 2, 5, Position("g", 5))
    side.released()  # the shadow's DISCONNECT
    assert side.state(True, "g", 5) == (ALONE, "")
    assert side.is_lost(True)  # another shadow may bind
    side.bound("shadow-id", "shadow.example", 2, 5)
    assert side.state(True, "g", 5) == (BINDING, "shadow.example")

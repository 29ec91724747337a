"""A master and a shadow as real processes on loopback: sync, replication, refusals, switches,
failover, a network split, a third instance, a restore."""

from __future__ import annotations

import io
import ssl
import zipfile
from pathlib import Path

import httpx
import pytest

from openscc.auth.users import ADMINISTRATOR
from support.ha_pair import CONFIG, HA, HaNode, connect, wait_for
from support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow


def test_changes_reach_the_shadow_in_order_and_the_shadow_refuses_its_own(
    pair: tuple[HaNode, HaNode],
) -> None:
    """A stream of creations and deletions arrives complete and in order (list order is
    creation order); the shadow refuses configuration changes of its own."""
    master, shadow = pair
    names = [f"sa-{n:03d}" for n in range(40)]
    for name in names:
        assert master.add_subaccount(name).status_code == 201
    for name in names[::3]:
        path = f"{CONFIG}/subaccounts/cf.eu10.hana.ondemand.com/{name}"
        assert master.http.delete(path).status_code == 204
    last = master.http.put(f"{CONFIG}/connector", json={"description": "replicated description"})
    expected = master.subaccounts()

    # The last change arrived: in order, so did every change before it.
    wait_for(
        lambda: (
            shadow.http.get(f"{CONFIG}/connector").json()["description"] == "replicated description"
        ),
        timeout=20,
        what="the last change on the shadow",
    )

    refused = shadow.add_subaccount("on-the-shadow")
    assert last.status_code == 200
    assert shadow.subaccounts() == expected
    assert refused.status_code == 403
    assert shadow.role() == "shadow"


def test_each_instance_keeps_its_own_users_and_ui_certificate(
    pair: tuple[HaNode, HaNode],
) -> None:
    """User administration and the UI certificate are not replicated (SAP's pages)."""
    master, shadow = pair
    master.add_subaccount("marker")
    wait_for(lambda: "marker" in shadow.subaccounts(), what="the marker on the shadow")

    assert (
        shadow.http.get(f"{CONFIG}/connector/ui/uiCertificate").json()
        != master.http.get(f"{CONFIG}/connector/ui/uiCertificate").json()
    )
    # The shadow's administrator still logs on with the shadow's password, not the master's.
    assert shadow.http.get(f"{CONFIG}/connector/haRole").status_code == 200
    with httpx.Client(
        verify=ssl.create_default_context(cafile=str(shadow.server.certificate_path))
    ) as other:
        status = other.get(
            shadow.server.url + f"{CONFIG}/connector/haRole", auth=(ADMINISTRATOR, master.password)
        ).status_code
    assert status == 401


def test_kill_9_of_the_master_the_shadow_takes_over_and_the_master_rejoins(
    pair: tuple[HaNode, HaNode],
) -> None:
    master, shadow = pair
    master.add_subaccount("before-the-crash")
    wait_for(lambda: "before-the-crash" in shadow.subaccounts(), what="replication")

    master.server.kill9()
    took = wait_for(lambda: shadow.role() == "master", timeout=20, what="the takeover")

    assert took <= 3 + 1 + 1.5  # takeover delay + one check interval + polling slack
    assert shadow.add_subaccount("after-the-takeover").status_code == 201
    master.server.start()
    wait_for(
        lambda: master.role() == "shadow" and master.shadow_state() == "READY",
        timeout=30,
        what="the old master rejoining as shadow",
    )
    wait_for(lambda: "after-the-takeover" in master.subaccounts(), what="the new master's change")
    assert shadow.master_state() == "CONNECTED"


def test_switch_roles(pair: tuple[HaNode, HaNode]) -> None:
    master, shadow = pair
    master.add_subaccount("before-the-switch")

    response = master.http.post(f"{HA}/master/state", json={"op": "SWITCH"})

    assert response.status_code == 204, response.text
    assert (master.role(), shadow.role()) == ("shadow", "master")
    assert "before-the-switch" in shadow.subaccounts()
    wait_for(lambda: master.shadow_state() == "READY", what="the old master in sync as shadow")
    assert shadow.add_subaccount("after-the-switch").status_code == 201
    wait_for(lambda: "after-the-switch" in master.subaccounts(), what="replication the other way")


def test_the_ha_role_post_switches_roles_with_a_connected_shadow(
    pair: tuple[HaNode, HaNode],
) -> None:
    master, shadow = pair

    response = master.http.post(f"{CONFIG}/connector/haRole", json="shadow")

    assert response.status_code == 204, response.text
    assert (master.role(), shadow.role()) == ("shadow", "master")


def test_force_switch_without_an_answering_shadow(pair: tuple[HaNode, HaNode]) -> None:
    """SWITCH needs a shadow that takes over; FORCE_SWITCH makes the master a shadow anyway."""
    master, shadow = pair
    shadow.server.stop()

    plain = master.http.post(f"{HA}/master/state", json={"op": "SWITCH"})
    forced = master.http.post(f"{HA}/master/state", json={"op": "FORCE_SWITCH"})

    assert plain.status_code == 409, plain.text
    assert master.role() == "shadow" if forced.status_code == 204 else False, forced.text


def test_a_third_instance_is_refused_while_a_shadow_is_bound(
    pair: tuple[HaNode, HaNode], tmp_path: Path, nodes: list[HaNode]
) -> None:
    master, _shadow = pair
    third = HaNode.start(tmp_path / "third", role="shadow", password="Third-pa55word")
    nodes.append(third)
    third.http.put(
        f"{HA}/shadow/config",
        json={"masterHost": "127.0.0.1", "masterPort": master.server.port, "ownHost": "127.0.0.1"},
    )

    response = third.http.post(
        f"{HA}/shadow/state",
        json={
            "op": "CONNECT",
            "user": ADMINISTRATOR,
            "password": master.password,
            "masterCertificate": master.certificate(),
        },
    )

    assert response.status_code == 409
    assert "another shadow" in response.json()["message"]


def test_a_restore_on_the_master_reaches_the_shadow(pair: tuple[HaNode, HaNode]) -> None:
    master, shadow = pair
    master.add_subaccount("in-the-backup")
    archive = master.http.post(f"{CONFIG}/backup", json={"password": "Backup-pa55word"}).content
    master.add_subaccount("after-the-backup")
    wait_for(lambda: "after-the-backup" in shadow.subaccounts(), what="replication")

    restored = master.http.put(
        f"{CONFIG}/backup",
        files={"backup": ("b.zip", archive), "password": (None, "Backup-pa55word")},
    )

    assert restored.status_code == 204, restored.text
    wait_for(lambda: master.subaccounts() == ["in-the-backup"], timeout=30, what="the restart")
    wait_for(
        lambda: shadow.subaccounts() == ["in-the-backup"], timeout=30, what="the shadow's resync"
    )


def test_a_network_split_is_resolved_the_side_that_took_over_wins(
    tmp_path: Path, nodes: list[HaNode]
) -> None:
    """Both instances reach each other through proxies the test cuts. Split: the shadow takes
    over; both are masters and accept changes. Healed: the former master relinquishes, keeps its
    configuration in a safety backup named in the audit log, and follows the new master."""
    master = HaNode.start(tmp_path / "master", role="master")
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    nodes += [master, shadow]
    with (
        TcpProxy(("127.0.0.2", master.server.port), ("127.0.0.1", master.server.port)) as to_master,
        TcpProxy(("127.0.0.3", shadow.server.port), ("127.0.0.1", shadow.server.port)) as to_shadow,
    ):
        connect(master, shadow, master_host="127.0.0.2", own_host="127.0.0.3")
        master.add_subaccount("before-the-split")
        wait_for(lambda: "before-the-split" in shadow.subaccounts(), what="replication")

        to_master.cut()
        to_shadow.cut()
        wait_for(lambda: shadow.role() == "master", timeout=20, what="the takeover")
        assert master.role() == "master"  # it cannot tell: master/master
        assert master.add_subaccount("accepted-by-the-old-master").status_code == 201
        assert shadow.add_subaccount("accepted-by-the-new-master").status_code == 201
        to_master.heal()
        to_shadow.heal()

        wait_for(
            lambda: master.role() == "shadow" and master.shadow_state() == "READY",
            timeout=60,
            what="the former master relinquishing",
        )

    assert master.subaccounts() == shadow.subaccounts()
    assert "accepted-by-the-new-master" in master.subaccounts()
    assert "accepted-by-the-old-master" not in master.subaccounts()
    audit = (master.server.data_dir / "audit.log").read_text()
    [line] = [entry for entry in audit.splitlines() if '"ha.became_shadow"' in entry]
    name = line.split('"safety_backup":"')[1].split('"')[0]
    archive = (master.server.data_dir / "safety-backups" / name).read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert b"accepted-by-the-old-master" in zf.read("config.jsonl")

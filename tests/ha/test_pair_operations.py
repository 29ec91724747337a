"""The operations around a pair, with real processes: a large initial sync, the HA port,
DISCONNECT and reconnecting without credentials, the resets, the refusals while connected, an
untrusted master certificate, backups on a shadow."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from bench.data import ADMIN_PASSWORD, build_data_dir, shape_for
from openscc.auth.users import ADMINISTRATOR
from support.ha_pair import CONFIG, HA, HaNode, configure, connect, enable, wait_for
from support.server_process import free_port

pytestmark = pytest.mark.slow

SYSTEMS = f"{CONFIG}/subaccounts"


def _resource_count(node: HaNode) -> int:
    """Every resource of every system mapping of every subaccount, through the API."""
    total = 0
    for sub in node.http.get(SYSTEMS).json():
        base = f"{SYSTEMS}/{sub['regionHost']}/{sub['subaccount']}/systemMappings"
        for mapping in node.http.get(base).json():
            system = f"{base}/{mapping['virtualHost']}:{mapping['virtualPort']}"
            total += len(node.http.get(f"{system}/resources").json())
    return total


def test_the_initial_sync_carries_a_configuration_of_10000_resources(
    tmp_path: Path, nodes: list[HaNode]
) -> None:
    build_data_dir(tmp_path / "master", shape_for(10_000), kdf_profile="test")
    master = HaNode.start(tmp_path / "master", role="master", password=ADMIN_PASSWORD)
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    nodes += [master, shadow]

    connect(master, shadow, timeout=120)

    assert _resource_count(shadow) == _resource_count(master) == 10_000
    master.add_subaccount("after-the-sync")
    wait_for(lambda: "after-the-sync" in shadow.subaccounts(), what="a change after the sync")


def test_the_ha_port_serves_the_pair_and_nothing_else(tmp_path: Path, nodes: list[HaNode]) -> None:
    master = HaNode.start(tmp_path / "master", role="master")
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    nodes += [master, shadow]
    ha_port = free_port()
    enable(master, haPort=ha_port)
    master.server.restart()  # the product applies haPort at the next start

    ha_url = f"https://127.0.0.1:{ha_port}"
    with httpx.Client(verify=False) as anyone:  # what a port scanner sees; nothing is sent
        answer = anyone.get(f"{ha_url}{CONFIG}/connector", auth=(ADMINISTRATOR, master.password))
        assert answer.status_code == 404
        assert answer.json()["type"] == "NOT_FOUND"
        assert anyone.get(f"{ha_url}/api/v1/configuration/backup").status_code == 404

    connect(master, shadow, master_port=ha_port)
    master.add_subaccount("over-the-ha-port")
    wait_for(lambda: "over-the-ha-port" in shadow.subaccounts(), what="replication on haPort")
    assert master.http.get(f"{HA}/master/config").json()["haPort"] == ha_port


def _metric(node: HaNode, name: str, route_ends: str = "") -> float:
    """The sum of a counter's series on ``node`` (those whose route ends so, if given)."""
    total = 0.0
    for line in node.http.get("/metrics").text.splitlines():
        series, _, value = line.rpartition(" ")
        if route_ends:
            counted = series.startswith(name + "{") and f'{route_ends}"' in series
        else:
            counted = series == name
        total += float(value) if counted else 0.0
    return total


def test_disconnect_then_connect_again_without_credentials(pair: tuple[HaNode, HaNode]) -> None:
    """The user and password are for the first logon only; afterwards the pair's own
    credential reconnects, and the changes made meanwhile arrive."""
    master, shadow = pair
    assert shadow.http.post(f"{HA}/shadow/state", json={"op": "DISCONNECT"}).status_code == 204
    assert shadow.shadow_state() == "DISCONNECTED"
    wait_for(lambda: master.master_state() == "ALONE", what="the master ALONE after DISCONNECT")
    master.add_subaccount("while-disconnected")
    # The master looks at its pair every second: two looks later, a following shadow would have
    # asked for the change; this one asked for nothing.
    asked = _metric(master, "openscc_http_requests_total", route_ends="/changes")
    assert asked > 0  # while it was connected, the shadow asked for changes
    looked = _metric(master, "openscc_ha_checks_total")
    wait_for(lambda: _metric(master, "openscc_ha_checks_total") >= looked + 2, what="two looks")
    assert _metric(master, "openscc_http_requests_total", route_ends="/changes") == asked
    assert "while-disconnected" not in shadow.subaccounts()

    assert shadow.http.post(f"{HA}/shadow/state", json={"op": "CONNECT"}).status_code == 204

    wait_for(lambda: shadow.shadow_state() == "READY", what="READY again")
    wait_for(lambda: "while-disconnected" in shadow.subaccounts(), what="the missed change")
    assert master.master_state() == "CONNECTED"


def test_resets_are_refused_while_connected_and_forget_the_pair_after(
    pair: tuple[HaNode, HaNode],
) -> None:
    master, shadow = pair
    for node, path in ((master, f"{HA}/master/state"), (shadow, f"{HA}/shadow/state")):
        refused = node.http.delete(path)
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"] == "ILLEGAL_STATE"
    changed = master.http.put(f"{HA}/master/config", json={"allowedShadowHost": "elsewhere"})
    assert changed.status_code == 409

    assert shadow.http.post(f"{HA}/shadow/state", json={"op": "DISCONNECT"}).status_code == 204
    assert shadow.http.delete(f"{HA}/shadow/state").status_code == 204
    assert shadow.shadow_state() == "INITIAL"
    assert shadow.http.get(f"{HA}/shadow/config").json()["masterHost"] == ""
    # Forgotten: reconnecting now needs a user and password again.
    configure(shadow, "127.0.0.1", master.server.port)
    again = shadow.http.post(f"{HA}/shadow/state", json={"op": "CONNECT"})
    assert again.status_code == 400
    assert "user and password" in again.json()["message"]

    wait_for(lambda: master.master_state() == "ALONE", what="the master ALONE")
    assert master.http.delete(f"{HA}/master/state").status_code == 204
    assert master.http.get(f"{HA}/master/config").json()["haEnabled"] is False


def _fingerprint(pem: str) -> str:
    served = x509.load_pem_x509_certificate(pem.encode())
    return hashlib.sha256(served.public_bytes(Encoding.DER)).hexdigest()


def test_the_documented_connect_trusts_the_master_on_first_use_and_pins_it(
    tmp_path: Path, nodes: list[HaNode]
) -> None:
    """As the pages describe: CONNECT with the master's user and password on its default
    self-signed certificate; the certificate presented is pinned, its fingerprint shown."""
    master = HaNode.start(tmp_path / "master", role="master")
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    nodes += [master, shadow]
    enable(master)
    configure(shadow, "127.0.0.1", master.server.port)

    answer = shadow.http.post(
        f"{HA}/shadow/state",
        json={"op": "CONNECT", "user": ADMINISTRATOR, "password": master.password},
    )

    assert answer.status_code == 204, answer.text
    wait_for(
        lambda: shadow.shadow_state() == "READY" and master.master_state() == "CONNECTED",
        what="the shadow in sync (READY) and the master CONNECTED",
    )
    expected = _fingerprint(master.certificate())
    shown = shadow.http.get(f"{HA}/shadow/state").json()["masterCertificateFingerprint"]
    assert shown.replace(":", "").lower() == expected
    audit = (shadow.server.data_dir / "audit.log").read_text()
    [line] = [entry for entry in audit.splitlines() if '"ha.connected"' in entry]
    assert '"first use"' in line
    assert shown in line
    assert master.password not in audit


def test_a_given_master_certificate_that_is_not_the_masters_is_refused_naming_its_fingerprint(
    tmp_path: Path, nodes: list[HaNode]
) -> None:
    master = HaNode.start(tmp_path / "master", role="master")
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    nodes += [master, shadow]
    enable(master)
    configure(shadow, "127.0.0.1", master.server.port)

    answer = shadow.http.post(
        f"{HA}/shadow/state",
        json={"op": "CONNECT", "user": ADMINISTRATOR, "password": master.password,
              "masterCertificate": shadow.certificate()},
    )  # fmt: skip

    assert answer.status_code == 500
    message = answer.json()["message"]
    assert "not trusted" in message
    assert _fingerprint(master.certificate()) in message.lower().replace(":", "")
    assert master.password not in message
    assert shadow.shadow_state() == "DISCONNECTED"
    assert master.master_state() == "ALONE"


def test_props_can_require_the_master_certificate_on_first_connect(
    tmp_path: Path, nodes: list[HaNode]
) -> None:
    master = HaNode.start(tmp_path / "master", role="master")
    shadow_dir = tmp_path / "shadow"
    shadow_dir.mkdir(mode=0o700)
    (shadow_dir / "props.ini").write_text("[ha]\nrequire_master_certificate = true\n")
    shadow = HaNode.start(shadow_dir, role="shadow")
    nodes += [master, shadow]
    enable(master)
    configure(shadow, "127.0.0.1", master.server.port)
    connect = {"op": "CONNECT", "user": ADMINISTRATOR, "password": master.password}

    refused = shadow.http.post(f"{HA}/shadow/state", json=connect)
    accepted = shadow.http.post(
        f"{HA}/shadow/state", json={**connect, "masterCertificate": master.certificate()}
    )

    assert refused.status_code == 400
    assert "require_master_certificate" in refused.json()["message"]
    assert accepted.status_code == 204, accepted.text
    wait_for(lambda: master.master_state() == "CONNECTED", what="the master CONNECTED")


def test_a_shadow_refuses_backups_and_restores(pair: tuple[HaNode, HaNode]) -> None:
    master, shadow = pair
    backup = f"{CONFIG}/backup"
    made = master.http.post(backup, json={"password": "Backup-pa55word"})
    assert made.status_code == 200

    refused = shadow.http.post(backup, json={"password": "Backup-pa55word"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "FORBIDDEN_REQUEST"
    restore = shadow.http.put(
        backup,
        files={"backup": ("backup.zip", made.content, "application/zip")},
        data={"password": "Backup-pa55word"},
    )
    assert restore.status_code == 403


def test_master_calls_on_a_shadow_are_400_and_shadow_calls_on_a_master_403(
    pair: tuple[HaNode, HaNode],
) -> None:
    master, shadow = pair
    on_shadow = shadow.http.get(f"{HA}/master/state")
    assert on_shadow.status_code == 400
    assert on_shadow.json()["type"] == "INVALID_REQUEST"
    on_master = master.http.get(f"{HA}/shadow/state")
    assert on_master.status_code == 403
    assert on_master.json()["type"] == "FORBIDDEN_REQUEST"


def test_a_pinned_certificate_is_kept_across_a_restart_of_both(
    pair: tuple[HaNode, HaNode],
) -> None:
    """Stopping and starting both (master first): the pair resumes with the stored credential
    and the pinned certificate, and nothing asks for the password again."""
    master, shadow = pair
    shadow.server.stop()
    master.server.stop()
    master.server.start()
    shadow.server.start()
    wait_for(
        lambda: shadow.shadow_state() == "READY" and master.master_state() == "CONNECTED",
        what="the pair resumed",
    )
    assert master.role() == "master"
    assert shadow.role() == "shadow"
    master.add_subaccount("after-the-restart")
    wait_for(lambda: "after-the-restart" in shadow.subaccounts(), what="replication resumed")


def test_a_lost_shadow_lets_another_bind(
    pair: tuple[HaNode, HaNode], tmp_path: Path, nodes: list[HaNode]
) -> None:
    """A shadow that stops checking in for three check intervals is lost (BROKEN); then
    another shadow may connect, as the product allows."""
    master, shadow = pair
    third = HaNode.start(tmp_path / "third", role="shadow", password="Third-pa55word")
    nodes.append(third)
    shadow.server.kill9()

    wait_for(lambda: master.master_state() == "BROKEN", timeout=10, what="the shadow lost")
    connect(master, third)

    master.add_subaccount("for-the-new-shadow")
    wait_for(lambda: "for-the-new-shadow" in third.subaccounts(), what="the new shadow in sync")

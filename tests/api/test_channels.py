"""Service channels: types, ports, ids, and opening that needs the tunnel."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc import kinds
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord
from support.cloud import AVAILABLE, CONNECTED_SINCE, ReachableCloud, install
from support.config_api import REGION, SA, SUBACCOUNT

CHANNELS = f"{SA}/channels"
K8S = {
    "comment": "Created",
    "connections": "1",
    "k8sCluster": "cluster",
    "k8sService": "svc",
    "port": "3000",
}
ABAP = {
    "abapCloudTenantHost": "tenant",
    "comment": "Created",
    "connections": "1",
    "instanceNumber": "20",
}

VM_ID = AVAILABLE["VirtualMachine"][0]["endpointId"]


@pytest.mark.parametrize(
    ("kind", "body", "port"),
    [
        ("K8S", K8S, 3000),
        ("ABAPCloud", ABAP, 3320),
        ("ABAPCloudSNC", ABAP, 4820),
        ("HANA", {"hanaInstanceName": "h", "instanceNumber": 1}, 30115),
        ("VirtualMachine", {"name": "vm", "endpointId": VM_ID, "port": 2222}, 2222),
    ],
)
def test_each_type_is_created_disabled_with_its_port(
    with_subaccount: TestClient, kind: str, body: dict[str, object], port: int
) -> None:
    """Numbers sent as strings come back as integers; ports follow the instance number."""
    response = with_subaccount.post(f"{CHANNELS}/{kind}", json=body)

    [channel] = with_subaccount.get(f"{CHANNELS}/{kind}").json()
    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{CHANNELS}/{kind}/{channel['id']}"
    assert (channel["type"], channel["port"], channel["enabled"]) == (kind, port, False)
    assert channel["connections"] == int(str(body.get("connections", 1)))
    assert set(channel["_links"]) == {"self", "state"}


def test_recorded_field_order_of_an_abap_channel(with_subaccount: TestClient) -> None:
    with_subaccount.post(f"{CHANNELS}/ABAPCloud", json=ABAP)

    body = with_subaccount.get(f"{CHANNELS}/ABAPCloud/1").json()

    assert list(body) == [
        "abapCloudTenantHost",
        "instanceNumber",
        "id",
        "type",
        "port",
        "enabled",
        "connections",
        "comment",
        "_links",
    ]
    assert body["instanceNumber"] == 20


def test_ids_count_up_across_types_and_are_not_reused(with_subaccount: TestClient) -> None:
    first = with_subaccount.post(f"{CHANNELS}/K8S", json=K8S).headers["location"]
    with_subaccount.delete(first)

    second = with_subaccount.post(f"{CHANNELS}/ABAPCloud", json=ABAP).headers["location"]

    assert (first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]) == ("1", "2")


def test_opening_a_channel_fails_truthfully_and_it_stays_closed(
    with_subaccount: TestClient,
) -> None:
    """enabled:true needs the tunnel: 500 RUNTIME_FAILURE as the product answers, still disabled."""
    with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)

    response = with_subaccount.put(f"{CHANNELS}/K8S/1/state", json={"enabled": "true"})

    assert response.status_code == 500
    assert response.json()["type"] == "RUNTIME_FAILURE"
    assert response.json()["message"].startswith("Service channel could not be opened")
    assert with_subaccount.get(f"{CHANNELS}/K8S/1").json()["enabled"] is False
    assert (
        with_subaccount.put(f"{CHANNELS}/K8S/1/state", json={"enabled": "false"}).status_code == 204
    )


def test_update_and_delete(with_subaccount: TestClient) -> None:
    with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)

    response = with_subaccount.put(
        f"{CHANNELS}/K8S/1", json={**K8S, "comment": "Updated", "connections": "2"}
    )

    body = with_subaccount.get(f"{CHANNELS}/K8S/1").json()
    assert response.status_code == 204
    assert (body["comment"], body["connections"]) == ("Updated", 2)
    assert with_subaccount.delete(f"{CHANNELS}/K8S/1").status_code == 204
    assert with_subaccount.get(f"{CHANNELS}/K8S/1").status_code == 404


def test_a_channel_is_found_only_under_its_own_type(with_subaccount: TestClient) -> None:
    with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)

    response = with_subaccount.get(f"{CHANNELS}/ABAPCloud/1")

    assert response.status_code == 404
    assert response.json()["message"] == "Service channel with value '1' does not exist"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("FTP", K8S),
        ("K8S", {**K8S, "port": "0"}),
        ("ABAPCloud", {**ABAP, "instanceNumber": "100"}),
        ("K8S", {"port": 1}),
        ("K8S", {**K8S, "connections": "many"}),
    ],
)
def test_invalid_channels_are_rejected(
    with_subaccount: TestClient, kind: str, body: dict[str, object]
) -> None:
    assert with_subaccount.post(f"{CHANNELS}/{kind}", json=body).status_code == 400


def test_channels_of_an_unknown_subaccount_are_not_found(admin: TestClient) -> None:
    assert admin.get(f"{CHANNELS}/K8S").status_code == 404


def test_a_virtual_machine_channel_has_the_documented_fields(with_subaccount: TestClient) -> None:
    """name and endpointId, as the page lists them; no invented field."""
    with_subaccount.post(
        f"{CHANNELS}/VirtualMachine",
        json={"name": "vm-1", "endpointId": VM_ID, "port": 2222, "connections": 3},
    )

    body = with_subaccount.get(f"{CHANNELS}/VirtualMachine/1").json()

    assert set(body) == {
        "name",
        "endpointId",
        "id",
        "type",
        "port",
        "enabled",
        "connections",
        "comment",
        "_links",
    }
    assert (body["name"], body["endpointId"], body["port"]) == ("vm-1", VM_ID, 2222)
    assert (
        with_subaccount.post(
            f"{CHANNELS}/VirtualMachine", json={"name": "x", "port": 1}
        ).status_code
        == 400
    )


def test_a_virtual_machine_channel_stored_by_earlier_versions_reads_with_the_documented_fields(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """Archives of earlier versions hold ``vmName``: it reads as ``name`` and a PUT rewrites it."""
    sa_key = kinds.subaccount_key(REGION, SUBACCOUNT)
    old = {
        "vmName": "vm-old",
        "port": 2222,
        "connections": 1,
        "comment": "",
        "id": 9,
        "type": "VirtualMachine",
        "enabled": False,
    }
    store.put(
        EntityRecord(kind=kinds.CHANNEL, key=kinds.channel_key(sa_key, 9), parent=sa_key, body=old)
    )

    shown = with_subaccount.get(f"{CHANNELS}/VirtualMachine/9").json()
    response = with_subaccount.put(f"{CHANNELS}/VirtualMachine/9", json={"endpointId": VM_ID})

    stored = store.get(kinds.CHANNEL, kinds.channel_key(sa_key, 9))
    assert (shown["name"], shown["endpointId"], "vmName" in shown) == ("vm-old", "", False)
    assert response.status_code == 204
    assert stored is not None
    assert (stored.body["name"], stored.body["endpointId"], "vmName" in stored.body) == (
        "vm-old",
        VM_ID,
        False,
    )


def test_an_open_channel_shows_its_state_from_the_tunnel(with_subaccount: TestClient) -> None:
    """state appears only while the channel is enabled, with what the tunnel reports."""
    install(with_subaccount, ReachableCloud())
    with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)
    closed = with_subaccount.get(f"{CHANNELS}/K8S/1").json()

    with_subaccount.put(f"{CHANNELS}/K8S/1/state", json={"enabled": True})

    opened = with_subaccount.get(f"{CHANNELS}/K8S/1").json()
    assert "state" not in closed
    assert opened["enabled"] is True
    assert opened["state"] == {
        "connected": True,
        "openedConnections": 1,
        "connectedSinceTimeStamp": CONNECTED_SINCE,
    }


def test_an_enabled_channel_without_a_tunnel_is_shown_not_connected(
    with_subaccount: TestClient,
) -> None:
    """An enabled channel (opened through a tunnel, or restored) is never reported connected
    without one."""
    offline = install(with_subaccount, ReachableCloud())
    with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)
    with_subaccount.put(f"{CHANNELS}/K8S/1/state", json={"enabled": True})
    install(with_subaccount, offline)

    state = with_subaccount.get(f"{CHANNELS}/K8S/1").json()["state"]

    assert state == {"connected": False, "openedConnections": 0, "connectedSinceTimeStamp": 0}


def test_delete_all_channels_and_all_of_one_type(with_subaccount: TestClient) -> None:
    for _ in range(2):
        with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)
    with_subaccount.post(f"{CHANNELS}/ABAPCloud", json=ABAP)

    of_type = with_subaccount.delete(f"{CHANNELS}/K8S")
    left = [c["typeDesc"]["typeKey"] for c in with_subaccount.get(CHANNELS).json()]
    everything = with_subaccount.delete(CHANNELS)

    assert (of_type.status_code, everything.status_code) == (204, 204)
    assert left == ["RFC"]
    assert with_subaccount.get(CHANNELS).json() == []
    assert with_subaccount.delete(f"{CHANNELS}/FTP").status_code == 400


def test_the_generic_form_lists_and_reads_every_channel(with_subaccount: TestClient) -> None:
    """The obsolete generic API: typeDesc, details, port, connection figures (with the id)."""
    with_subaccount.post(f"{CHANNELS}/HANA", json={"hanaInstanceName": "h1", "instanceNumber": 2})
    with_subaccount.post(f"{CHANNELS}/K8S", json=K8S)

    listed = with_subaccount.get(CHANNELS).json()
    one = with_subaccount.get(f"{CHANNELS}/1").json()

    assert one == {
        "id": 1,
        "typeDesc": {"typeKey": "HANA_DB", "typeName": "HANA Database"},
        "details": "h1",
        "port": 30215,
        "enabled": False,
        "connected": False,
        "connectionsCount": 1,
        "availableConnectionsCount": 0,
        "connectedSinceTimeStamp": 0,
    }
    assert listed[0] == one
    assert listed[1]["typeDesc"]["typeKey"] == "K8S"
    assert with_subaccount.get(f"{CHANNELS}/3").status_code == 404


@pytest.mark.parametrize(
    ("generic", "typed_path", "expected"),
    [
        (
            {"typeKey": "HANA_DB", "details": "h2", "serviceNumber": 3, "connectionCount": 4},
            "HANA",
            {"hanaInstanceName": "h2", "instanceNumber": 3, "port": 30315, "connections": 4},
        ),
        (
            {"typeKey": "RFC", "details": "tenant.example", "serviceNumber": "21"},
            "ABAPCloud",
            {"abapCloudTenantHost": "tenant.example", "instanceNumber": 21, "port": 3321},
        ),
    ],
)
def test_the_generic_form_creates_a_typed_channel(
    with_subaccount: TestClient,
    generic: dict[str, object],
    typed_path: str,
    expected: dict[str, object],
) -> None:
    response = with_subaccount.post(CHANNELS, json=generic)

    typed = with_subaccount.get(f"{CHANNELS}/{typed_path}/1").json()
    assert response.status_code == 201
    assert response.headers["location"].endswith(f"{CHANNELS}/1")
    assert {k: typed[k] for k in expected} == expected


def test_a_generic_virtual_machine_channel_gets_its_endpoint_id_from_sap_btp(
    with_subaccount: TestClient,
) -> None:
    """The generic form names the VM only; its endpoint ID is looked up among those offered."""
    without_tunnel = with_subaccount.post(
        CHANNELS, json={"typeKey": "HCPVM", "details": "vm-1", "serviceNumber": 2222}
    )
    install(with_subaccount, ReachableCloud())
    unknown = with_subaccount.post(
        CHANNELS, json={"typeKey": "HCPVM", "details": "vm-9", "serviceNumber": 2222}
    )

    created = with_subaccount.post(
        CHANNELS, json={"typeKey": "HCPVM", "details": "vm-1", "serviceNumber": 2222}
    )

    vm = with_subaccount.get(f"{CHANNELS}/VirtualMachine/1").json()
    assert without_tunnel.status_code == 500
    assert without_tunnel.json()["type"] == "RUNTIME_FAILURE"
    assert unknown.status_code == 400
    assert created.status_code == 201
    assert (vm["name"], vm["endpointId"], vm["port"]) == ("vm-1", VM_ID, 2222)


def test_the_generic_form_replaces_a_channel(with_subaccount: TestClient) -> None:
    with_subaccount.post(f"{CHANNELS}/HANA", json={"hanaInstanceName": "h1", "instanceNumber": 2})

    response = with_subaccount.put(
        f"{CHANNELS}/1", json={"typeKey": "HANA_DB", "details": "h9", "serviceNumber": 5}
    )
    other_type = with_subaccount.put(
        f"{CHANNELS}/1", json={"typeKey": "RFC", "details": "t", "serviceNumber": 5}
    )

    typed = with_subaccount.get(f"{CHANNELS}/HANA/1").json()
    assert response.status_code == 204
    assert (typed["hanaInstanceName"], typed["instanceNumber"], typed["port"]) == ("h9", 5, 30515)
    assert other_type.status_code == 400
    assert (
        with_subaccount.put(
            f"{CHANNELS}/7", json={"typeKey": "RFC", "details": "t", "serviceNumber": 5}
        ).status_code
        == 404
    )
    assert (
        with_subaccount.put(
            f"{CHANNELS}/HANA", json={"typeKey": "RFC", "details": "t", "serviceNumber": 5}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"typeKey": "FTP", "details": "x", "serviceNumber": 1},
        {"typeKey": "HANA_DB", "serviceNumber": 1},
        {"typeKey": "HANA_DB", "details": "x"},
        {"typeKey": "HANA_DB", "details": "x", "serviceNumber": 100},
    ],
)
def test_invalid_generic_channels_are_rejected(
    with_subaccount: TestClient, body: dict[str, object]
) -> None:
    assert with_subaccount.post(CHANNELS, json=body).status_code == 400


@pytest.mark.parametrize("kind", ["HANA", "VirtualMachine"])
def test_available_channels_need_sap_btp(with_subaccount: TestClient, kind: str) -> None:
    """Without a tunnel the list cannot be had: 500 RUNTIME_FAILURE as documented; with one,
    what SAP BTP offers."""
    offline = with_subaccount.get(f"{SA}/availableChannels/{kind}")
    install(with_subaccount, ReachableCloud())

    online = with_subaccount.get(f"{SA}/availableChannels/{kind}")

    assert offline.status_code == 500
    assert offline.json()["type"] == "RUNTIME_FAILURE"
    assert "SAP BTP" in offline.json()["message"]
    assert online.json() == AVAILABLE[kind]

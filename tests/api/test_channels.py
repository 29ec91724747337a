"""Service channels: types, ports, ids, and opening that needs the tunnel."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from support.config_api import SA

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


@pytest.mark.parametrize(
    ("kind", "body", "port"),
    [
        ("K8S", K8S, 3000),
        ("ABAPCloud", ABAP, 3320),
        ("ABAPCloudSNC", ABAP, 4820),
        ("HANA", {"hanaInstanceName": "h", "instanceNumber": 1}, 30115),
        ("VirtualMachine", {"vmName": "vm", "port": 2222}, 2222),
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

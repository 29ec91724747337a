"""Subaccounts: create, read, update, delete, tunnel state, trust and validity."""

from __future__ import annotations

import base64
import json
import re

import pytest
from starlette.testclient import TestClient

from openscc import kinds
from openscc.store.entities import EntityStore
from support.cloud import ReachableCloud, install
from support.config_api import (
    CLOUD_PASSWORD,
    REGION,
    SA,
    SUBACCOUNT,
    SUBACCOUNTS,
    create_mapping,
    create_subaccount,
    subaccount_body,
)

RECORDED_KEYS = [
    "description",
    "displayName",
    "autoCertRenewal",
    "tunnel",
    "isManaged",
    "_links",
    "regionHost",
    "subaccount",
    "locationID",
]
TUNNEL_KEYS = [
    "state",
    "connectedSinceTimeStamp",
    "connections",
    "applicationConnections",
    "serviceChannels",
    "subaccountCertificate",
    "user",
]
LINKS = [
    "ABAPCloud-channels",
    "HANA-channels",
    "systemMappings",
    "self",
    "K8S-channels",
    "validity",
    "state",
    "VirtualMachine-channels",
    "domainMappings",
]


def test_create_answers_201_with_absolute_location_and_the_recorded_shape(
    admin: TestClient,
) -> None:
    """A created subaccount comes back as JSON in the recorded shape, with an absolute Location."""
    response = admin.post(SUBACCOUNTS, json=subaccount_body(displayName=""))

    body = response.json()
    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{SA}"
    assert list(body) == RECORDED_KEYS
    assert list(body["tunnel"]) == TUNNEL_KEYS
    assert list(body["_links"]) == LINKS
    assert body["_links"]["self"] == {"href": f"https://testserver{SA}"}
    assert body["displayName"] == SUBACCOUNT  # the product shows the id when no name is given
    assert body["locationID"] == ""
    assert body["tunnel"]["user"] == "cloud-user@example.com"


def test_the_tunnel_never_reports_a_connection_that_does_not_exist(admin: TestClient) -> None:
    """openscc has no tunnel to SAP BTP: a new subaccount's tunnel is ConnectFailure, since 0."""
    tunnel = create_subaccount(admin)["tunnel"]

    assert tunnel["state"] == "ConnectFailure"
    assert tunnel["connectedSinceTimeStamp"] == 0
    assert tunnel["connections"] == 0


def test_subaccount_certificate_is_generated_locally_in_the_recorded_formats(
    admin: TestClient,
) -> None:
    """The certificate's serial is colon-separated hex, its times epoch milliseconds."""
    certificate = create_subaccount(admin)["tunnel"]["subaccountCertificate"]

    assert re.fullmatch(r"[0-9a-f]{1,2}(:[0-9a-f]{1,2})+", certificate["serialNumber"])
    assert isinstance(certificate["notAfterTimeStamp"], int)
    assert certificate["notAfterTimeStamp"] > certificate["notBeforeTimeStamp"] > 1_600_000_000_000
    assert f"CN={SUBACCOUNT}" in certificate["subjectDN"]


def test_booleans_may_be_sent_as_strings(admin: TestClient) -> None:
    """autoCertRenewal and isManaged accept "true"/"false" as well as real booleans."""
    body = create_subaccount(admin, autoCertRenewal="true", isManaged="false")

    assert body["autoCertRenewal"] is True
    assert body["isManaged"] is False


@pytest.mark.parametrize("missing", ["regionHost", "subaccount", "cloudUser", "cloudPassword"])
def test_create_without_a_required_field_is_invalid(admin: TestClient, missing: str) -> None:
    """Each of regionHost, subaccount, cloudUser and cloudPassword is required."""
    body = subaccount_body()
    del body[missing]

    response = admin.post(SUBACCOUNTS, json=body)

    assert response.status_code == 400
    assert response.json() == {"type": "INVALID_REQUEST", "message": f"{missing} is required"}


def test_create_with_a_bad_boolean_is_invalid(admin: TestClient) -> None:
    """A value that is no boolean is a 400, not a silent default."""
    response = admin.post(SUBACCOUNTS, json=subaccount_body(isManaged="maybe"))

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_adding_the_same_subaccount_twice_is_a_conflict(with_subaccount: TestClient) -> None:
    """The second create answers 409 INVALID_CONFIGURATION."""
    response = with_subaccount.post(SUBACCOUNTS, json=subaccount_body())

    assert response.status_code == 409
    assert response.json()["type"] == "INVALID_CONFIGURATION"


def test_create_with_authentication_data(admin: TestClient) -> None:
    """Authentication data (base64 JSON) names the region host and the subaccount."""
    data = base64.b64encode(json.dumps({"regionHost": REGION, "subaccountId": SUBACCOUNT}).encode())

    response = admin.post(
        SUBACCOUNTS, json={"authenticationData": data.decode(), "locationID": "x1"}
    )

    assert response.status_code == 201
    assert (response.json()["regionHost"], response.json()["subaccount"]) == (REGION, SUBACCOUNT)
    assert response.json()["locationID"] == "x1"


def test_create_with_unreadable_authentication_data_is_invalid(admin: TestClient) -> None:
    response = admin.post(SUBACCOUNTS, json={"authenticationData": "not authentication data"})

    assert response.status_code == 400


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_subaccount_is_not_found_with_the_recorded_message(
    admin: TestClient, method: str
) -> None:
    """404 NOT_FOUND: "Subaccount with value '<id>@<region>' does not exist"."""
    response = admin.request(method, f"{SUBACCOUNTS}/{REGION}/nope", json={})

    assert response.status_code == 404
    assert response.json() == {
        "type": "NOT_FOUND",
        "message": f"Subaccount with value 'nope@{REGION}' does not exist",
    }


def test_list_shows_region_subaccount_location_and_links(with_subaccount: TestClient) -> None:
    response = with_subaccount.get(SUBACCOUNTS)

    assert response.status_code == 200
    [entry] = response.json()
    assert list(entry) == ["_links", "regionHost", "subaccount", "locationID"]
    assert entry["subaccount"] == SUBACCOUNT


def test_update_keeps_absent_fields_and_clears_empty_ones(with_subaccount: TestClient) -> None:
    """PUT answers 200 with the subaccount; absent fields stay, "" clears."""
    with_subaccount.put(SA, json={"displayName": "Name", "locationID": "loc1"})

    response = with_subaccount.put(SA, json={"description": "", "locationID": None})

    assert response.status_code == 200
    body = response.json()
    assert (body["displayName"], body["locationID"], body["description"]) == ("Name", "loc1", "")
    assert with_subaccount.get(SA).json() == body


def test_delete_removes_the_subaccount_and_everything_in_it(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """Mappings, resources, channels and domain mappings go with their subaccount."""
    create_mapping(with_subaccount)
    with_subaccount.post(f"{SA}/systemMappings/virtual.example:900/resources", json={"id": "/"})
    with_subaccount.post(
        f"{SA}/channels/K8S", json={"k8sCluster": "c", "k8sService": "s", "port": 1}
    )
    with_subaccount.post(
        f"{SA}/domainMappings", json={"virtualDomain": "v.x", "internalDomain": "i.x"}
    )

    response = with_subaccount.delete(SA)

    assert response.status_code == 204
    assert with_subaccount.get(SA).status_code == 404
    left = store.counts()
    for kind in (
        kinds.SUBACCOUNT,
        kinds.SYSTEM_MAPPING,
        kinds.RESOURCE,
        kinds.CHANNEL,
        kinds.DOMAIN_MAPPING,
    ):
        assert left.get(kind, 0) == 0, kind


def test_disconnect_then_connect_reports_the_failure(with_subaccount: TestClient) -> None:
    """connected:false gives Disconnected; connected:true is tried and reported as ConnectFailure."""
    assert with_subaccount.put(f"{SA}/state", json={"connected": "false"}).status_code == 204
    assert with_subaccount.get(SA).json()["tunnel"]["state"] == "Disconnected"

    assert with_subaccount.put(f"{SA}/state", json={"connected": True}).status_code == 204

    assert with_subaccount.get(SA).json()["tunnel"]["state"] == "ConnectFailure"


def test_state_needs_connected(with_subaccount: TestClient) -> None:
    assert with_subaccount.put(f"{SA}/state", json={}).status_code == 400


def test_trust_sync_is_refused_while_the_tunnel_is_not_connected(
    with_subaccount: TestClient,
) -> None:
    """Syncing trust needs SAP BTP: 409 ILLEGAL_STATE, naming the tunnel state."""
    response = with_subaccount.post(f"{SA}/trust")

    assert response.status_code == 409
    assert response.json()["type"] == "ILLEGAL_STATE"
    assert "ConnectFailure" in response.json()["message"]


def test_a_connected_cloud_is_reported_and_used(admin: TestClient) -> None:
    """With a CloudConnection that connects, the state is Connected and trust sync goes through it."""
    cloud = ReachableCloud()
    install(admin, cloud)
    tunnel = create_subaccount(admin)["tunnel"]

    response = admin.post(f"{SA}/trust")

    assert (tunnel["state"], tunnel["connectedSinceTimeStamp"]) == ("Connected", 1_700_000_000_000)
    assert response.status_code == 204
    assert cloud.synced == [SUBACCOUNT]


def test_auto_sync_trust_setting_is_stored(with_subaccount: TestClient, store: EntityStore) -> None:
    response = with_subaccount.put(f"{SA}/trust", json={"autoSyncTrustEnabled": "true"})

    record = store.get(kinds.SUBACCOUNT, kinds.subaccount_key(REGION, SUBACCOUNT))
    assert response.status_code == 204
    assert record is not None
    assert record.body["autoSyncTrustEnabled"] is True


@pytest.mark.parametrize(
    "body", [{"autoSyncTrustEnabled": True, "bogus": 1}, {"autosynctrustenabled": True}]
)
def test_auto_sync_trust_refuses_an_unknown_property(
    with_subaccount: TestClient, store: EntityStore, body: dict[str, object]
) -> None:
    """The page promises 400 INVALID_REQUEST "invalid property name" for this operation."""
    response = with_subaccount.put(f"{SA}/trust", json=body)

    record = store.get(kinds.SUBACCOUNT, kinds.subaccount_key(REGION, SUBACCOUNT))
    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert response.json()["message"].startswith("invalid property name: ")
    assert record is not None
    assert not record.body.get("autoSyncTrustEnabled")


def test_validity_renews_the_certificate(with_subaccount: TestClient, store: EntityStore) -> None:
    """POST validity makes a new key pair and certificate and keeps the new password secret."""
    before = with_subaccount.get(SA).json()["tunnel"]["subaccountCertificate"]["serialNumber"]

    response = with_subaccount.post(
        f"{SA}/validity", json={"user": "other@example.com", "password": "n3w"}
    )

    record = store.get(kinds.SUBACCOUNT, kinds.subaccount_key(REGION, SUBACCOUNT), with_secret=True)
    assert response.status_code == 200
    assert response.json()["tunnel"]["subaccountCertificate"]["serialNumber"] != before
    assert response.json()["tunnel"]["user"] == "other@example.com"
    assert record is not None
    assert record.secret is not None
    assert record.secret["cloudPassword"] == "n3w"


def test_private_key_and_cloud_password_are_secrets_never_shown(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """The private key and the cloud password live only in the entity's secret."""
    record = store.get(kinds.SUBACCOUNT, kinds.subaccount_key(REGION, SUBACCOUNT), with_secret=True)
    shown = with_subaccount.get(SA).text + with_subaccount.get(SUBACCOUNTS).text

    assert record is not None
    assert record.secret is not None
    assert set(record.secret) == {"privateKeyPem", "cloudPassword"}
    assert "PRIVATE KEY" in record.secret["privateKeyPem"]
    assert "PRIVATE KEY" not in json.dumps(record.body)
    assert CLOUD_PASSWORD not in json.dumps(record.body)
    assert "PRIVATE KEY" not in shown
    assert CLOUD_PASSWORD not in shown

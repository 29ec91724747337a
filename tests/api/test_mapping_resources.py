"""System mapping resources: encoded ids, lenient flags, shapes and counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from openscc.config.resource_ids import decode_resource_id, encode_resource_id
from support.config_api import MAPPING, create_mapping

RESOURCES = f"{MAPPING}/resources"


@pytest.fixture
def with_mapping(with_subaccount: TestClient) -> TestClient:
    create_mapping(with_subaccount)
    return with_subaccount


@pytest.mark.parametrize(
    ("resource_id", "encoded"),
    [
        ("/", "-"),
        ("/sap/opu/odata", "-sap-opu-odata"),
        ("/a-b", "-a+2Db"),
        ("/a+b", "-a+2Bb"),
        ("BAPI_USER", "BAPI_USER"),
        ("/x+-/", "-x+2B+2D-"),
    ],
)
def test_resource_ids_are_encoded_as_the_product_does(resource_id: str, encoded: str) -> None:
    """``/`` is ``-``, ``-`` is ``+2D`` and ``+`` is ``+2B``."""
    assert encode_resource_id(resource_id) == encoded
    assert decode_resource_id(encoded) == resource_id


@given(st.text(alphabet="/+-ab2BD", max_size=30))
def test_encoding_round_trips(resource_id: str) -> None:
    assert decode_resource_id(encode_resource_id(resource_id)) == resource_id


def test_a_stray_plus_is_invalid(with_mapping: TestClient) -> None:
    assert with_mapping.get(f"{RESOURCES}/a+zz").status_code == 400


def test_create_with_string_flags_and_read_back(with_mapping: TestClient) -> None:
    """Flags sent as strings come back as booleans; Location names the encoded id."""
    response = with_mapping.post(
        RESOURCES,
        json={
            "id": "/sap/a-b",
            "enabled": "true",
            "exactMatchOnly": "false",
            "websocketUpgradeAllowed": "false",
            "description": "create resource",
        },
    )

    body = with_mapping.get(f"{RESOURCES}/-sap-a+2Db").json()
    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{RESOURCES}/-sap-a+2Db"
    assert list(body) == [
        "id",
        "enabled",
        "exactMatchOnly",
        "websocketUpgradeAllowed",
        "creationDate",
        "description",
        "_links",
    ]
    assert (body["id"], body["enabled"], body["exactMatchOnly"]) == ("/sap/a-b", True, False)
    assert body["creationDate"].isdigit()
    assert body["_links"] == {"self": {"href": f"https://testserver{RESOURCES}/-sap-a+2Db"}}


def test_list_entries_have_empty_links_as_recorded(with_mapping: TestClient) -> None:
    with_mapping.post(RESOURCES, json={"id": "/"})

    [entry] = with_mapping.get(RESOURCES).json()

    assert entry["_links"] == {}
    assert (entry["enabled"], entry["exactMatchOnly"], entry["websocketUpgradeAllowed"]) == (
        False,
    ) * 3
    assert "description" not in entry


def test_mapping_counts_total_and_enabled_resources(with_mapping: TestClient) -> None:
    for n, enabled in enumerate([True, False, True]):
        with_mapping.post(RESOURCES, json={"id": f"/{n}", "enabled": enabled})

    body = with_mapping.get(MAPPING).json()

    assert (body["totalResourcesCount"], body["enabledResourcesCount"]) == (3, 2)


def test_update_and_delete(with_mapping: TestClient) -> None:
    with_mapping.post(RESOURCES, json={"id": "/", "enabled": True, "description": "create"})

    response = with_mapping.put(
        f"{RESOURCES}/-", json={"enabled": "false", "description": "updated"}
    )

    body = with_mapping.get(f"{RESOURCES}/-").json()
    assert response.status_code == 204
    assert (body["enabled"], body["description"]) == (False, "updated")
    assert with_mapping.delete(f"{RESOURCES}/-").status_code == 204
    assert with_mapping.get(f"{RESOURCES}/-").status_code == 404
    assert with_mapping.delete(RESOURCES).status_code == 204


def test_duplicate_resource_is_a_conflict_and_missing_id_invalid(with_mapping: TestClient) -> None:
    with_mapping.post(RESOURCES, json={"id": "/"})

    assert with_mapping.post(RESOURCES, json={"id": "/"}).status_code == 409
    assert with_mapping.post(RESOURCES, json={"enabled": True}).status_code == 400
    assert with_mapping.post(RESOURCES, json={"id": "/x", "enabled": "yes"}).status_code == 400


def test_unknown_resource_is_not_found(with_mapping: TestClient) -> None:
    response = with_mapping.delete(f"{RESOURCES}/-nothing")

    assert response.status_code == 404
    assert response.json()["message"] == "Resource with value '/nothing' does not exist"


def test_resources_of_an_unknown_subaccount_are_not_found(admin: TestClient) -> None:
    """A resource POST under an unknown subaccount is the recorded 404."""
    response = admin.post(RESOURCES, json={"id": "/"})

    assert response.status_code == 404
    assert response.json()["message"].startswith("Subaccount with value")

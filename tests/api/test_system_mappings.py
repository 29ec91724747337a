"""System mappings: fields, enums, lenient input, counts, errors, and speed with many of them."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc import kinds
from openscc.kinds import join_key
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord
from support.config_api import MAPPING, REGION, SA, SUBACCOUNT, create_mapping, mapping_body

RECORDED_KEYS = [
    "virtualHost",
    "virtualPort",
    "localHost",
    "localPort",
    "creationDate",
    "protocol",
    "backendType",
    "hostInHeader",
    "totalResourcesCount",
    "enabledResourcesCount",
    "authenticationMode",
    "allowedClients",
    "blacklistedUsers",
    "_links",
]


def test_create_answers_201_with_location_and_no_body(with_subaccount: TestClient) -> None:
    response = with_subaccount.post(f"{SA}/systemMappings", json=mapping_body())

    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{MAPPING}"
    assert response.content == b""
    assert "content-type" not in response.headers


def test_mapping_shows_the_recorded_fields_and_types(with_subaccount: TestClient) -> None:
    """Ports and creationDate are strings, counts integers; unset optional texts are omitted."""
    create_mapping(with_subaccount, localPort=905)

    body = with_subaccount.get(MAPPING).json()

    assert list(body) == RECORDED_KEYS
    assert (body["virtualPort"], body["localPort"]) == ("900", "905")
    assert body["creationDate"].isdigit()
    assert (body["totalResourcesCount"], body["enabledResourcesCount"]) == (0, 0)
    assert body["_links"]["resources"] == {"href": f"https://testserver{MAPPING}/resources"}
    assert with_subaccount.get(f"{SA}/systemMappings").json() == [body]


def test_optional_fields_are_shown_when_given(with_subaccount: TestClient) -> None:
    create_mapping(
        with_subaccount, sid="", description="", sncPartnerName="p:CN=X", sapRouter="/H/r"
    )

    body = with_subaccount.get(MAPPING).json()

    assert (body["sid"], body["description"]) == ("", "")
    assert (body["sncPartnerName"], body["sapRouter"]) == ("p:CN=X", "/H/r")


def test_enum_values_are_accepted_in_any_case(with_subaccount: TestClient) -> None:
    """hostInHeader may be internal/INTERNAL; the product's spelling is stored."""
    create_mapping(
        with_subaccount,
        protocol="https",
        backendType="HANA",
        hostInHeader="internal",
        authenticationMode="x509_general",
    )

    body = with_subaccount.get(MAPPING).json()

    assert (body["protocol"], body["backendType"]) == ("HTTPS", "hana")
    assert (body["hostInHeader"], body["authenticationMode"]) == ("INTERNAL", "X509_GENERAL")


def test_rfc_mappings_have_no_host_in_header(with_subaccount: TestClient) -> None:
    create_mapping(with_subaccount, protocol="RFC", hostInHeader=None)

    assert "hostInHeader" not in with_subaccount.get(MAPPING).json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("protocol", "FTP"),
        ("backendType", "mainframe"),
        ("authenticationMode", "MAGIC"),
        ("virtualPort", "99999"),
        ("localPort", "http"),
        ("virtualHost", "bad host"),
        ("localHost", None),
    ],
)
def test_invalid_fields_are_rejected(
    with_subaccount: TestClient, field: str, value: object
) -> None:
    response = with_subaccount.post(f"{SA}/systemMappings", json=mapping_body(**{field: value}))

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_duplicate_mapping_is_a_conflict(with_subaccount: TestClient) -> None:
    create_mapping(with_subaccount)

    response = with_subaccount.post(f"{SA}/systemMappings", json=mapping_body())

    assert response.status_code == 409


def test_update_changes_fields_and_keeps_the_creation_date(with_subaccount: TestClient) -> None:
    """PUT answers 204 and changes what it names, as recorded."""
    create_mapping(with_subaccount)
    created = with_subaccount.get(MAPPING).json()["creationDate"]

    response = with_subaccount.put(
        MAPPING,
        json=mapping_body(
            localHost="updatedlocal",
            localPort="905",
            protocol="HTTPS",
            backendType="hana",
            authenticationMode="X509_GENERAL",
            hostInHeader="INTERNAL",
        ),
    )

    body = with_subaccount.get(MAPPING).json()
    assert response.status_code == 204
    assert (body["localHost"], body["localPort"], body["protocol"]) == (
        "updatedlocal",
        "905",
        "HTTPS",
    )
    assert body["creationDate"] == created


def test_update_cannot_move_the_mapping(with_subaccount: TestClient) -> None:
    create_mapping(with_subaccount)

    response = with_subaccount.put(MAPPING, json=mapping_body(virtualPort="901"))

    assert response.status_code == 400


def test_unknown_mapping_is_not_found(with_subaccount: TestClient) -> None:
    response = with_subaccount.get(f"{SA}/systemMappings/nothing:1")

    assert response.status_code == 404
    assert response.json()["message"] == "System mapping with value 'nothing:1' does not exist"


def test_mappings_of_an_unknown_subaccount_are_not_found(admin: TestClient) -> None:
    response = admin.get(f"{SA}/systemMappings")

    assert response.status_code == 404
    assert (
        response.json()["message"]
        == f"Subaccount with value '{SUBACCOUNT}@{REGION}' does not exist"
    )


def test_delete_one_and_all(with_subaccount: TestClient) -> None:
    create_mapping(with_subaccount)
    create_mapping(with_subaccount, virtualPort="901")

    assert with_subaccount.delete(MAPPING).status_code == 204
    assert [m["virtualPort"] for m in with_subaccount.get(f"{SA}/systemMappings").json()] == ["901"]
    assert with_subaccount.delete(f"{SA}/systemMappings").status_code == 204
    assert with_subaccount.get(f"{SA}/systemMappings").json() == []


@pytest.mark.volume
def test_thousands_of_mappings_list_in_a_few_queries(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """Listing 2000 mappings with 4000 resources costs a constant number of queries, not one per row."""
    sa_key = kinds.subaccount_key(REGION, SUBACCOUNT)
    with store.transaction():
        for n in range(2000):
            body = {
                **mapping_body(virtualPort=str(1000 + n)),
                "authenticationMode": "NONE",
                "allowedClients": [],
                "blacklistedUsers": [],
                "creationDate": 1,
            }
            key = kinds.mapping_key(sa_key, "virtual.example", str(1000 + n))
            store.put(EntityRecord(kind=kinds.SYSTEM_MAPPING, key=key, parent=sa_key, body=body))
            for r in range(2):
                store.put(
                    EntityRecord(
                        kind=kinds.RESOURCE,
                        key=join_key(key, "r", str(r)),
                        parent=key,
                        body={"id": f"/{r}", "enabled": r == 0},
                    )
                )
    statements: list[str] = []
    store.connection.set_trace_callback(statements.append)
    body = with_subaccount.get(f"{SA}/systemMappings").json()

    store.connection.set_trace_callback(None)
    assert len(body) == 2000
    assert {(m["totalResourcesCount"], m["enabledResourcesCount"]) for m in body} == {(2, 1)}
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) < 10

"""Domain mappings: create, list, rename by PUT, delete."""

from __future__ import annotations

from starlette.testclient import TestClient

from support.config_api import SA

DOMAINS = f"{SA}/domainMappings"
BODY = {"virtualDomain": "testtfvirtualdomain", "internalDomain": "testtfinternaldomain"}


def test_create_and_list(with_subaccount: TestClient) -> None:
    """201 with Location and no body; the list shows both domains and a self link."""
    response = with_subaccount.post(DOMAINS, json=BODY)

    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{DOMAINS}/testtfinternaldomain"
    assert with_subaccount.get(DOMAINS).json() == [
        {**BODY, "_links": {"self": {"href": f"https://testserver{DOMAINS}/testtfinternaldomain"}}}
    ]


def test_update_by_current_internal_domain(with_subaccount: TestClient) -> None:
    with_subaccount.post(DOMAINS, json=BODY)

    response = with_subaccount.put(
        f"{DOMAINS}/testtfinternaldomain", json={**BODY, "virtualDomain": "updatedtfvirtualdomain"}
    )

    assert response.status_code == 204
    assert with_subaccount.get(DOMAINS).json()[0]["virtualDomain"] == "updatedtfvirtualdomain"


def test_duplicates_are_conflicts(with_subaccount: TestClient) -> None:
    with_subaccount.post(DOMAINS, json=BODY)

    assert with_subaccount.post(DOMAINS, json=BODY).status_code == 409
    assert with_subaccount.post(DOMAINS, json={**BODY, "virtualDomain": "other"}).status_code == 409


def test_missing_fields_are_invalid(with_subaccount: TestClient) -> None:
    assert with_subaccount.post(DOMAINS, json={"virtualDomain": "x"}).status_code == 400


def test_delete_and_not_found(with_subaccount: TestClient) -> None:
    with_subaccount.post(DOMAINS, json=BODY)

    assert with_subaccount.delete(f"{DOMAINS}/testtfinternaldomain").status_code == 204
    assert with_subaccount.delete(f"{DOMAINS}/testtfinternaldomain").status_code == 404
    assert with_subaccount.put(f"{DOMAINS}/nothing", json=BODY).status_code == 404
    assert with_subaccount.delete(DOMAINS).status_code == 204


def test_domain_mappings_of_an_unknown_subaccount_are_not_found(admin: TestClient) -> None:
    response = admin.get(DOMAINS)

    assert response.status_code == 404
    assert response.json()["type"] == "NOT_FOUND"

"""Allowed clients and blocked client users of a system mapping."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from support.config_api import MAPPING, create_mapping

CLIENTS = f"{MAPPING}/allowedClients"
USERS = f"{MAPPING}/blockedClientUsers"


@pytest.fixture
def with_mapping(with_subaccount: TestClient) -> TestClient:
    create_mapping(with_subaccount)
    return with_subaccount


def test_allowed_clients_replace_add_and_remove(with_mapping: TestClient) -> None:
    """POST replaces (201 + Location), PATCH adds without duplicates, DELETE removes one."""
    response = with_mapping.post(CLIENTS, json=["100", 200])
    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{CLIENTS}"

    assert with_mapping.patch(CLIENTS, json=["100", "300"]).status_code == 204
    assert with_mapping.get(CLIENTS).json() == ["100", "200", "300"]
    assert with_mapping.delete(f"{CLIENTS}/200").status_code == 204

    assert with_mapping.get(MAPPING).json()["allowedClients"] == ["100", "300"]


def test_removing_an_unknown_client_is_not_found(with_mapping: TestClient) -> None:
    assert with_mapping.delete(f"{CLIENTS}/999").status_code == 404


def test_invalid_client_is_rejected(with_mapping: TestClient) -> None:
    assert with_mapping.post(CLIENTS, json=["1000"]).status_code == 400
    assert with_mapping.post(CLIENTS, json={"client": "100"}).status_code == 400


def test_clearing_allows_all_clients_again(with_mapping: TestClient) -> None:
    with_mapping.post(CLIENTS, json=["100"])

    assert with_mapping.delete(CLIENTS).status_code == 204
    assert with_mapping.get(CLIENTS).json() == []


def test_blocked_users_replace_add_and_remove(with_mapping: TestClient) -> None:
    """Users are {client, user}; the mapping lists them as blacklistedUsers."""
    assert with_mapping.post(USERS, json=[{"client": "100", "user": "DDIC"}]).status_code == 201
    assert (
        with_mapping.patch(
            USERS, json=[{"client": "100", "user": "ddic"}, {"client": 200, "user": "SAP*"}]
        ).status_code
        == 204
    )

    assert with_mapping.get(USERS).json() == [
        {"client": "100", "user": "DDIC"},
        {"client": "200", "user": "SAP*"},
    ]
    assert with_mapping.delete(f"{USERS}/100:DDIC").status_code == 204
    assert with_mapping.get(MAPPING).json()["blacklistedUsers"] == [
        {"client": "200", "user": "SAP*"}
    ]
    assert with_mapping.delete(f"{USERS}/100:DDIC").status_code == 404
    assert with_mapping.delete(USERS).status_code == 204


def test_blocked_user_needs_a_user(with_mapping: TestClient) -> None:
    assert with_mapping.post(USERS, json=[{"client": "100"}]).status_code == 400


def test_lists_of_an_unknown_mapping_are_not_found(with_subaccount: TestClient) -> None:
    assert with_subaccount.get(CLIENTS).status_code == 404

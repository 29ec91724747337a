"""Fixtures of the configuration API tests (the app fixtures come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.store.entities import EntityStore
from support.apps import instance_of, make_client
from support.config_api import create_subaccount


@pytest.fixture
def store(admin_app: Starlette) -> EntityStore:
    return instance_of(admin_app).store


@pytest.fixture
def with_subaccount(admin: TestClient) -> TestClient:
    """The Administrator's client on an instance with the test subaccount."""
    create_subaccount(admin)
    return admin


@pytest.fixture
def client_of_role(
    admin_app: Starlette, make_user: Callable[..., tuple[str, str]]
) -> Iterator[Callable[[str], TestClient]]:
    """A client for a new user of a role, on the same instance as ``admin``."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = make_client(admin_app, auth=make_user(role))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Key generation is not what these tests check (see support.fast_keys)."""

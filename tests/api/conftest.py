"""Fixtures of the configuration API tests (the app fixtures come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.store.entities import EntityStore
from support.apps import instance_of
from support.config_api import create_subaccount


@pytest.fixture
def store(admin_app: Starlette) -> EntityStore:
    return instance_of(admin_app).store


@pytest.fixture
def with_subaccount(admin: TestClient) -> TestClient:
    """The Administrator's client on an instance with the test subaccount."""
    create_subaccount(admin)
    return admin


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Key generation is not what these tests check (see support.fast_keys)."""

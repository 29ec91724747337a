"""Fixtures of the monitoring tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from support.apps import make_client


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Key generation is not what these tests check (see support.fast_keys)."""


@pytest.fixture
def monitor(admin_app: Starlette, make_user: object) -> Iterator[TestClient]:
    """A user of the role Monitoring on the ready instance (the Administrator's)."""
    with make_client(admin_app, auth=make_user("sccmonitoring")) as client:  # type: ignore[operator]
        yield client

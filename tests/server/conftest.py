"""The server foundation's tests take RSA keys from a pool (see support.fast_keys): they check
what an instance does with its UI certificate, not how long a fresh key takes to make."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Every test here gets pooled keys."""

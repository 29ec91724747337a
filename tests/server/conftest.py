"""The server foundation's tests take RSA keys from a pool (see support.fast_keys): they check
what an instance does with its UI certificate, not how long a fresh key takes to make."""

from __future__ import annotations

import pytest

from support.fast_keys import pooled_rsa_keys  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:  # noqa: F811
    """Every test here gets pooled keys."""

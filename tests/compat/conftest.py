"""Fixtures of the replay; its report is printed by ``support.replay_report``."""

from __future__ import annotations

import pytest

from support.fast_keys import pooled_rsa_keys  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Key generation is not what the replay checks (see support.fast_keys)."""

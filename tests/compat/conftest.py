"""Fixtures of the replay; its report is printed by ``support.replay_report``."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Key generation is not what the replay checks (see support.fast_keys)."""

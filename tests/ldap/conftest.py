"""LDAP tests: the configuration API and logons against a real slapd (``ldap_directory``, from
support.ldap_server). They check what logons and the API do, not how long a UI key takes."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Every test here gets pooled keys."""

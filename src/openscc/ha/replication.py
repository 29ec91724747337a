"""What a shadow receives from its master, and what stays each instance's own.

Each instance keeps its own user administration (users, LDAP), UI certificate and cipher suites
(its TLS listener), log and trace levels, and its high-availability settings and role, as SAP's
pages say. Everything else is the master's configuration, which the shadow replicates. Of the
connector entity, the shadow takes the description and keeps its own role.
"""

from __future__ import annotations

from typing import Any

from openscc.auth.users import USER_KIND
from openscc.config import kinds

LOCAL_KINDS = frozenset(
    {
        USER_KIND,
        kinds.LDAP_SETTINGS,
        kinds.LDAP_SERVER,
        kinds.UI_CERTIFICATE,
        kinds.UI_CIPHER_SUITES,
        kinds.LOG_AND_TRACE,
        kinds.SUBACCOUNT_TRACE,
        kinds.HA_MASTER_CONFIG,
        kinds.HA_SHADOW_CONFIG,
    }
)
# The connector fields a shadow takes from its master (not haRole: that is each instance's).
SHARED_CONNECTOR_FIELDS = ("description",)


def is_replicated(kind: str, key: str) -> bool:
    """Whether the entity (kind, key) is the master's configuration, which a shadow receives."""
    if kind in LOCAL_KINDS:
        return False
    # A pending signing request of the UI certificate belongs to that instance's listener.
    return not (kind == kinds.PENDING_CSR and key == kinds.UI_CERTIFICATE)


def connector_body(own: dict[str, Any], master: dict[str, Any]) -> dict[str, Any]:
    """The shadow's connector entity: its own, with the master's shared fields."""
    merged = dict(own)
    for name in SHARED_CONNECTOR_FIELDS:
        if name in master:
            merged[name] = master[name]
        else:
            merged.pop(name, None)
    return merged

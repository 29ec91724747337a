"""What a shadow receives from its master: every replicated kind (``openscc.kinds``, where each
kind says whether it is each instance's own), and of the connector entity the description (the
shadow keeps its own role).

Each instance keeps its own user administration (users, LDAP), UI certificate and cipher suites
(its TLS listener), log and trace levels, and its high-availability settings and role, as SAP's
pages say.
"""

from __future__ import annotations

from typing import Any

# The connector fields a shadow takes from its master (not haRole: that is each instance's).
SHARED_CONNECTOR_FIELDS = ("description",)


def connector_body(own: dict[str, Any], master: dict[str, Any]) -> dict[str, Any]:
    """The shadow's connector entity: its own, with the master's shared fields."""
    merged = dict(own)
    for name in SHARED_CONNECTOR_FIELDS:
        if name in master:
            merged[name] = master[name]
        else:
            merged.pop(name, None)
    return merged

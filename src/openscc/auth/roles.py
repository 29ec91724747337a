"""The Cloud Connector's roles, by their technical names, and the groups its pages name.

Every endpoint lists the roles that may call it, as the operation's page in SAP's documentation
lists them (``tests/compat/test_documented_roles.py`` compares every served operation with
``tests/compat/documented-operations.json``).
"""

from __future__ import annotations

ADMIN = "sccadmin"
ASSOCIATE_ADMIN = "sccassocadmin"
SUBACCOUNT_ADMIN = "sccsubadmin"
SUPPORT = "sccsupport"
DISPLAY = "sccdisplay"
MONITORING = "sccmonitoring"

ROLE_NAMES = (ADMIN, ASSOCIATE_ADMIN, SUBACCOUNT_ADMIN, SUPPORT, DISPLAY, MONITORING)
ROLES = frozenset(ROLE_NAMES)
ROLE_ALIASES = {"admin": ADMIN}
# The names the documentation's role lists use.
DOCUMENTED_NAMES = {
    "Administrator": ADMIN,
    "Associate Administrator": ASSOCIATE_ADMIN,
    "Subaccount Administrator": SUBACCOUNT_ADMIN,
    "Support": SUPPORT,
    "Display": DISPLAY,
    "Monitoring": MONITORING,
}

# The role lists the operations' pages use.
EVERY_ROLE = ROLES
SUBACCOUNT_ADMINS = frozenset({ADMIN, ASSOCIATE_ADMIN, SUBACCOUNT_ADMIN})
ADMINISTRATORS = frozenset({ADMIN, ASSOCIATE_ADMIN})
ADMIN_ONLY = frozenset({ADMIN})
ADMIN_AND_SUPPORT = frozenset({ADMIN, SUPPORT})


def canonical_role(name: str) -> str:
    """The role's technical name; raises ValueError for an unknown role."""
    role = ROLE_ALIASES.get(name, name)
    if role not in ROLES:
        raise ValueError(f"unknown role {name!r}; roles are {', '.join(ROLE_NAMES)} (or admin)")
    return role

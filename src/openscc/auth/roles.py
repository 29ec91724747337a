"""The Cloud Connector's roles and what each may do."""

from __future__ import annotations

import enum


class Permission(enum.Enum):
    READ_CONFIG = "READ_CONFIG"
    # Connector-wide settings (HA role, authentication, proxy, certificates, trust): the product
    # shows them to Administrators, Display and Support users, not to Subaccount Administrators.
    READ_CONNECTOR_SETTINGS = "READ_CONNECTOR_SETTINGS"
    CHANGE_CONFIG = "CHANGE_CONFIG"
    CHANGE_SUBACCOUNT_CONFIG = "CHANGE_SUBACCOUNT_CONFIG"
    BACKUP = "BACKUP"
    MONITORING = "MONITORING"
    SUPPORT = "SUPPORT"
    ANY = "ANY"  # any authenticated user (own password)


ROLES: dict[str, frozenset[Permission]] = {
    "sccadmin": frozenset(Permission),
    "sccsubadmin": frozenset(
        {Permission.ANY, Permission.READ_CONFIG, Permission.CHANGE_SUBACCOUNT_CONFIG}
    ),
    "sccsupport": frozenset(
        {
            Permission.ANY,
            Permission.READ_CONFIG,
            Permission.READ_CONNECTOR_SETTINGS,
            Permission.SUPPORT,
        }
    ),
    "sccdisplay": frozenset(
        {Permission.ANY, Permission.READ_CONFIG, Permission.READ_CONNECTOR_SETTINGS}
    ),
    "sccmonitoring": frozenset({Permission.ANY, Permission.MONITORING}),
}
ROLE_ALIASES = {"admin": "sccadmin"}
ROLE_NAMES = tuple(ROLES)


def canonical_role(name: str) -> str:
    """The role's technical name; raises ValueError for an unknown role."""
    role = ROLE_ALIASES.get(name, name)
    if role not in ROLES:
        raise ValueError(f"unknown role {name!r}; roles are {', '.join(ROLE_NAMES)} (or admin)")
    return role


def has_permission(role: str, permission: Permission) -> bool:
    return permission in ROLES.get(role, frozenset())

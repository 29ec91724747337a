"""Who may call what: the one decision the guard makes after authentication.

``decide`` is pure: the endpoint, the caller's role and the instance's state go in, the refusal
(or None) comes out. The guard calls it on every request, and the published authorization matrix
(``scripts/authorization_matrix.py``, in docs/api.md) is computed from it, so the two cannot drift.

The order follows the Cloud Connector, each refusal a ``403``:

1. the caller still has the initial password and the endpoint is not the password change;
2. the endpoint needs an HA role and the instance has none yet;
3. the caller's role is not one of the endpoint's roles;
4. the endpoint changes the configuration (or makes a backup) and the instance is a shadow;
5. the endpoint is a shadow's (its high-availability settings) and the instance is not one.
"""

from __future__ import annotations

from openscc.api.http.endpoints import Endpoint
from openscc.auth.roles import ROLE_NAMES, ROLES

INITIAL_PASSWORD_MESSAGE = "operation unavailable unless initial password is changed"  # noqa: S105
HA_ROLE_MESSAGE = "operation unavailable unless HA role is defined (master or shadow)"
SHADOW_MESSAGE = "operation not allowed on a shadow instance"
SHADOW_ONLY_MESSAGE = "operation only permitted on a shadow instance"


def decide(
    endpoint: Endpoint, *, role: str, initial_password: bool, ha_role: str | None
) -> str | None:
    """None if a caller of ``role`` may call ``endpoint`` now, else why not (a 403 message).
    ``ha_role`` is read only for endpoints that need an HA role or change the configuration."""
    if initial_password and not endpoint.before_initial_password:
        return INITIAL_PASSWORD_MESSAGE
    if endpoint.needs_ha_role and ha_role is None:
        return HA_ROLE_MESSAGE
    if role not in endpoint.roles:
        allowed = ", ".join(r for r in ROLE_NAMES if r in endpoint.roles)
        return (
            f"method requires one of the roles {allowed}. "
            f"User has role(s) {role if role in ROLES else 'none'}"
        )
    if endpoint.changes_config and ha_role == "shadow":
        return SHADOW_MESSAGE
    if endpoint.shadow_only and ha_role != "shadow":
        return SHADOW_ONLY_MESSAGE
    return None


def role_for(endpoint: Endpoint, roles: frozenset[str], primary: str) -> str:
    """The role a caller acts in: a directory user may hold several, and the first of them the
    endpoint allows decides (else the user's primary role, refused)."""
    return next((r for r in ROLE_NAMES if r in roles and r in endpoint.roles), primary)


def reads_ha_role(endpoint: Endpoint) -> bool:
    """Whether ``decide`` needs the instance's HA role for this endpoint."""
    return endpoint.needs_ha_role or endpoint.changes_config or endpoint.shadow_only

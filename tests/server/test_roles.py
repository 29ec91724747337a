"""What each of the Cloud Connector's roles may do."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc.auth.roles import ROLES, Permission, canonical_role, has_permission
from support.apps import UserFactory

CONNECTOR = "/api/v1/configuration/connector"
READS = [
    "/api/v1/connector/version",
    CONNECTOR,
    f"{CONNECTOR}/haRole",
    f"{CONNECTOR}/authentication",
]
READERS = ["sccadmin", "sccsubadmin", "sccdisplay", "sccsupport"]
# Connector-wide settings: the product's tables list Administrator, Display and Support only.
CONNECTOR_SETTINGS_READS = [f"{CONNECTOR}/haRole", f"{CONNECTOR}/authentication"]


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("path", READS)
def test_administrator_subaccount_admin_display_and_support_may_read(
    admin: TestClient,
    make_user: UserFactory,
    role: str,
    path: str,
) -> None:
    """Reads are open to Administrator, Subaccount Administrator, Display and Support, except
    connector-wide settings, which a Subaccount Administrator does not see."""
    response = admin.get(path, auth=make_user(role))

    expected = 403 if role == "sccsubadmin" and path in CONNECTOR_SETTINGS_READS else 200
    assert response.status_code == expected


@pytest.mark.parametrize("path", READS)
def test_monitoring_may_not_read_the_configuration(
    admin: TestClient,
    make_user: UserFactory,
    path: str,
) -> None:
    """The Monitoring role gets 403 on configuration reads."""
    response = admin.get(path, auth=make_user("sccmonitoring"))

    assert response.status_code == 403
    assert response.json()["message"].startswith("method requires permission READ_")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("sccadmin", 200),
        ("sccsubadmin", 403),
        ("sccdisplay", 403),
        ("sccsupport", 403),
        ("sccmonitoring", 403),
    ],
)
def test_only_administrators_change_connector_wide_settings(
    admin: TestClient,
    make_user: UserFactory,
    role: str,
    status: int,
) -> None:
    """Connector-wide writes (the description) are for the Administrator role only."""
    response = admin.put(CONNECTOR, auth=make_user(role), json={"description": role})

    assert response.status_code == status
    assert admin.get(CONNECTOR).json()["description"] == (role if status == 200 else "")


@pytest.mark.parametrize("role", ["sccsubadmin", "sccdisplay", "sccsupport", "sccmonitoring"])
def test_only_administrators_set_the_ha_role(
    admin: TestClient,
    make_user: UserFactory,
    role: str,
) -> None:
    """Setting the HA role needs CHANGE_CONFIG: other roles get 403 before any conflict check."""
    response = admin.post(f"{CONNECTOR}/haRole", auth=make_user(role), json="shadow")

    assert response.status_code == 403


@pytest.mark.parametrize(
    "role", ["sccadmin", "sccsubadmin", "sccdisplay", "sccsupport", "sccmonitoring"]
)
def test_every_role_may_change_its_own_password(
    admin: TestClient,
    make_user: UserFactory,
    role: str,
) -> None:
    """Any authenticated user may change their own password."""
    name, password = make_user(role)

    response = admin.put(
        f"{CONNECTOR}/authentication/basic",
        auth=(name, password),
        json={"oldPassword": password, "newPassword": "changed-pw"},
    )

    assert response.status_code == 204
    assert admin.get(CONNECTOR, auth=(name, password)).status_code == 401
    assert admin.get(CONNECTOR, auth=(name, "changed-pw")).status_code != 401


def test_admin_alias_is_the_administrator_role(admin: TestClient, make_user: UserFactory) -> None:
    """The LDAP group name 'admin' is an alias of sccadmin."""
    response = admin.put(CONNECTOR, auth=make_user("admin"), json={"description": "by alias"})

    assert canonical_role("admin") == "sccadmin"
    assert response.status_code == 200


def test_unknown_roles_are_refused() -> None:
    """Only the Cloud Connector's role names (and the alias) are accepted."""
    with pytest.raises(ValueError, match="unknown role"):
        canonical_role("root")


def test_permission_matrix_follows_the_product() -> None:
    """Reads: A, SA, D, S; connector writes and backups: A; subaccount writes: A, SA."""
    matrix = {role: {p.value for p in Permission if has_permission(role, p)} for role in ROLES}

    assert matrix == {
        "sccadmin": {p.value for p in Permission},
        "sccsubadmin": {"ANY", "READ_CONFIG", "CHANGE_SUBACCOUNT_CONFIG"},
        "sccsupport": {"ANY", "READ_CONFIG", "READ_CONNECTOR_SETTINGS", "SUPPORT"},
        "sccdisplay": {"ANY", "READ_CONFIG", "READ_CONNECTOR_SETTINGS"},
        "sccmonitoring": {"ANY", "MONITORING"},
    }

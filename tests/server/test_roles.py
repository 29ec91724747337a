"""What each of the Cloud Connector's six roles may do (the current pages' role lists)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc.auth.roles import ROLE_NAMES, canonical_role
from support.apps import UserFactory

CONNECTOR = "/api/v1/configuration/connector"
READS = [
    "/api/v1/connector/version",
    CONNECTOR,
    f"{CONNECTOR}/haRole",
    f"{CONNECTOR}/authentication",
]


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("path", READS)
def test_every_role_may_read_the_connector(
    admin: TestClient, make_user: UserFactory, role: str, path: str
) -> None:
    """Configuration reads are open to all six roles, Monitoring included, as the pages say."""
    response = admin.get(path, auth=make_user(role))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("sccadmin", 200),
        ("sccassocadmin", 200),
        ("sccsubadmin", 403),
        ("sccdisplay", 403),
        ("sccsupport", 403),
        ("sccmonitoring", 403),
    ],
)
def test_administrators_and_associates_change_the_description(
    admin: TestClient, make_user: UserFactory, role: str, status: int
) -> None:
    response = admin.put(CONNECTOR, auth=make_user(role), json={"description": role})

    assert response.status_code == status
    assert admin.get(CONNECTOR).json()["description"] == (role if status == 200 else "")
    if status == 403:
        assert response.json()["message"] == (
            f"method requires one of the roles sccadmin, sccassocadmin. User has role(s) {role}"
        )


@pytest.mark.parametrize("role", [r for r in ROLE_NAMES if r != "sccadmin"])
def test_only_the_administrator_role_sets_the_ha_role(
    admin: TestClient, make_user: UserFactory, role: str
) -> None:
    """Other roles get 403 before any conflict check."""
    response = admin.post(f"{CONNECTOR}/haRole", auth=make_user(role), json="shadow")

    assert response.status_code == 403


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_role_may_change_its_own_password(
    admin: TestClient, make_user: UserFactory, role: str
) -> None:
    """An openscc extension (the product has one local user): every local user may change their
    own password."""
    name, password = make_user(role)

    response = admin.put(
        f"{CONNECTOR}/authentication/basic",
        auth=(name, password),
        json={"oldPassword": password, "newPassword": "Changed-pa55word"},
    )

    assert response.status_code == 204
    assert admin.get(CONNECTOR, auth=(name, password)).status_code == 401
    assert admin.get(CONNECTOR, auth=(name, "Changed-pa55word")).status_code != 401


def test_admin_alias_is_the_administrator_role(admin: TestClient, make_user: UserFactory) -> None:
    """The group name 'admin' is an alias of sccadmin."""
    response = admin.put(CONNECTOR, auth=make_user("admin"), json={"description": "by alias"})

    assert canonical_role("admin") == "sccadmin"
    assert response.status_code == 200


def test_unknown_roles_are_refused() -> None:
    """Only the Cloud Connector's role names (and the alias) are accepted."""
    with pytest.raises(ValueError, match="unknown role"):
        canonical_role("root")


def test_the_six_roles_of_the_product() -> None:
    assert ROLE_NAMES == (
        "sccadmin",
        "sccassocadmin",
        "sccsubadmin",
        "sccsupport",
        "sccdisplay",
        "sccmonitoring",
    )

"""``GET /api/openscc/v1/session`` answers what the caller may do now, from the guard's own
decision: the web page shows a control exactly when the API would accept its request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from openscc.api.http.catalog import all_endpoints
from openscc.api.routes.users.session import CAPABILITIES
from openscc.auth.roles import ROLE_NAMES

SESSION = "/api/openscc/v1/session"
HA = "/api/v1/configuration/connector/ha"
# A request per capability whose only possible refusal is the guard's: its status is 403 exactly
# when the capability is False (anything else means the guard let it through).
PROBES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "backup": ("POST", "/api/v1/configuration/backup", {"json": {"password": ""}}),
    "restore": ("PUT", "/api/v1/configuration/backup", {"content": b""}),
    "changeConnector": ("PUT", "/api/v1/configuration/connector", {"content": b"not json"}),
    "changeProxy": ("PUT", "/api/v1/configuration/connector/proxy", {"content": b"not json"}),
    "changeSubaccounts": ("POST", "/api/v1/configuration/subaccounts", {"content": b"x"}),
    "manageUsers": ("GET", "/api/openscc/v1/users", {}),
    "manageSchedules": ("GET", "/api/openscc/v1/backup/schedules", {}),
    "runSchedules": ("POST", "/api/openscc/v1/backup/schedules/none/run", {}),
    "restoreConnectors": ("POST", "/api/openscc/v1/backup/fleet/none/restore", {"json": {}}),
    "readSafetyBackups": ("GET", "/api/openscc/v1/backup/safety", {}),
    "readCertificateExpiry": ("GET", "/api/monitoring/certificates", {}),
    "changeHaMaster": ("PUT", f"{HA}/master/config", {"content": b"not json"}),
    "switchRoles": ("POST", f"{HA}/master/state", {"content": b"not json"}),
    "changeHaShadow": ("PUT", f"{HA}/shadow/config", {"content": b"not json"}),
    "connectShadow": ("POST", f"{HA}/shadow/state", {"content": b"not json"}),
}
# A shadow's own operations, which a master refuses whoever asks.
SHADOW_ONLY = {"changeHaShadow", "connectShadow"}


def test_every_capability_names_an_endpoint_and_has_a_probe() -> None:
    found = all_endpoints().by_path()

    assert set(PROBES) == set(CAPABILITIES)
    for method, path in CAPABILITIES.values():
        assert method in found[path]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_capabilities_are_what_the_api_accepts(
    role: str, client_of_role: Callable[[str], TestClient]
) -> None:
    client = client_of_role(role)
    may = client.get(SESSION).json()["may"]

    refused = {
        name: client.request(method, path, **options).status_code == 403
        for name, (method, path, options) in PROBES.items()
    }
    assert may == {name: not was_refused for name, was_refused in refused.items()}


def test_an_administrator_may_everything_on_a_master_but_a_shadows_own(
    admin: TestClient,
) -> None:
    may = admin.get(SESSION).json()["may"]

    assert {name for name, allowed in may.items() if not allowed} == SHADOW_ONLY

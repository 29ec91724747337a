"""Who may read and write the configuration: roles per the spec, and the shadow rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from openscc.api.catalog import all_endpoints
from openscc.auth.roles import Permission
from openscc.connector_state import update_connector
from openscc.store.entities import EntityStore
from support.config_api import CONFIG, SA, SUBACCOUNTS, mapping_body, subaccount_body

ClientOfRole = Callable[[str], TestClient]
PROXY = f"{CONFIG}/connector/proxy"


def test_display_role_reads_but_cannot_write(
    with_subaccount: TestClient, client_of_role: ClientOfRole
) -> None:
    """sccdisplay reads subaccounts and proxy, and gets 403 on every write."""
    display = client_of_role("sccdisplay")

    assert display.get(SA).status_code == 200
    assert display.get(PROXY).status_code == 200
    assert display.post(f"{SA}/systemMappings", json=mapping_body()).status_code == 403
    assert display.put(PROXY, json={"host": "p", "port": 1}).status_code == 403
    assert display.delete(SA).status_code == 403


def test_subaccount_admin_writes_subaccount_content_but_not_connector_settings(
    admin: TestClient, client_of_role: ClientOfRole
) -> None:
    """sccsubadmin adds subaccounts and mappings; proxy and certificates stay Administrator-only."""
    subadmin = client_of_role("sccsubadmin")

    assert subadmin.post(SUBACCOUNTS, json=subaccount_body()).status_code == 201
    assert subadmin.post(f"{SA}/systemMappings", json=mapping_body()).status_code == 201
    response = subadmin.put(PROXY, json={"host": "p", "port": 1})
    assert response.status_code == 403
    assert response.json()["message"].startswith("method requires permission CHANGE_CONFIG")
    assert (
        subadmin.post(
            f"{CONFIG}/connector/onPremise/systemCertificate",
            json={"type": "selfsigned", "subjectDN": "CN=x"},
        ).status_code
        == 403
    )


def test_monitoring_role_cannot_read_the_configuration(
    with_subaccount: TestClient, client_of_role: ClientOfRole
) -> None:
    assert client_of_role("sccmonitoring").get(SA).status_code == 403


def test_a_shadow_instance_refuses_configuration_writes(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """On a shadow, reads work and every write is 403."""
    with store.transaction():
        update_connector(store, haRole="shadow")

    assert with_subaccount.get(SA).status_code == 200
    response = with_subaccount.post(f"{SA}/systemMappings", json=mapping_body())
    assert response.status_code == 403
    assert response.json()["message"] == "operation not allowed on a shadow instance"
    assert with_subaccount.put(PROXY, json={"host": "p", "port": 1}).status_code == 403


CONFIGURATION = [
    e for e in all_endpoints().endpoints if e.path.startswith(CONFIG) and e.tag == "configuration"
]


@pytest.mark.parametrize(
    "endpoint", CONFIGURATION, ids=[f"{e.method} {e.path}" for e in CONFIGURATION]
)
def test_every_configuration_endpoint_declares_its_rule(endpoint) -> None:  # type: ignore[no-untyped-def]
    """Reads need READ_CONFIG (subaccount content) or READ_CONNECTOR_SETTINGS (connector-wide
    settings); every write changes config (refused on a shadow) and needs CHANGE_CONFIG, with
    CHANGE_SUBACCOUNT_CONFIG enough exactly for subaccount content."""
    if endpoint.method == "GET":
        read = (
            Permission.READ_CONFIG
            if endpoint.path.startswith(SUBACCOUNTS)
            else Permission.READ_CONNECTOR_SETTINGS
        )
        assert (endpoint.permission, endpoint.changes_config) == (read, False)
        return
    assert endpoint.changes_config
    assert endpoint.permission == Permission.CHANGE_CONFIG
    in_subaccount = endpoint.path.startswith(SUBACCOUNTS)
    expected = Permission.CHANGE_SUBACCOUNT_CONFIG if in_subaccount else None
    assert endpoint.or_permission == expected


def test_subaccount_admin_does_not_read_connector_wide_settings(
    with_subaccount: TestClient, client_of_role: ClientOfRole
) -> None:
    """sccsubadmin reads its subaccounts but gets 403 on proxy and certificates, as the product."""
    subadmin = client_of_role("sccsubadmin")

    assert subadmin.get(SA).status_code == 200
    response = subadmin.get(PROXY)
    assert response.status_code == 403
    assert response.json()["message"].startswith(
        "method requires permission READ_CONNECTOR_SETTINGS"
    )
    assert subadmin.get(f"{CONFIG}/connector/onPremise/systemCertificate").status_code == 403

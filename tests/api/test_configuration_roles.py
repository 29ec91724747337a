"""Who may read and write the configuration, per the pages' role lists, and the shadow rule."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from openscc.config.connector_state import update_connector
from openscc.store.entities import EntityStore
from support.config_api import CONFIG, SA, SUBACCOUNTS, mapping_body, subaccount_body

ClientOfRole = Callable[[str], TestClient]
PROXY = f"{CONFIG}/connector/proxy"
SYSTEM_CERTIFICATE = f"{CONFIG}/connector/onPremise/systemCertificate"


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
    """sccsubadmin adds subaccounts and mappings; proxy and certificates are not theirs."""
    subadmin = client_of_role("sccsubadmin")

    assert subadmin.post(SUBACCOUNTS, json=subaccount_body()).status_code == 201
    assert subadmin.post(f"{SA}/systemMappings", json=mapping_body()).status_code == 201
    response = subadmin.put(PROXY, json={"host": "p", "port": 1})
    assert response.status_code == 403
    assert response.json()["message"].startswith("method requires one of the roles sccadmin.")
    generate = {"type": "selfsigned", "subjectDN": "CN=x"}
    assert subadmin.post(SYSTEM_CERTIFICATE, json=generate).status_code == 403


def test_associate_admin_manages_certificates_but_not_the_proxy(
    with_subaccount: TestClient, client_of_role: ClientOfRole
) -> None:
    """sccassocadmin: subaccount content and cross-subaccount settings such as certificates and
    back-end trust, but not the proxy (Administrator only)."""
    associate = client_of_role("sccassocadmin")

    assert associate.post(f"{SA}/systemMappings", json=mapping_body()).status_code == 201
    generate = {"type": "selfsigned", "subjectDN": "CN=associate"}
    assert associate.post(SYSTEM_CERTIFICATE, json=generate).status_code == 201
    assert associate.put(PROXY, json={"host": "p", "port": 1}).status_code == 403


def test_monitoring_role_reads_the_configuration(
    with_subaccount: TestClient, client_of_role: ClientOfRole
) -> None:
    """The current pages open configuration reads to Monitoring too; writes stay closed."""
    monitoring = client_of_role("sccmonitoring")

    assert monitoring.get(SA).status_code == 200
    assert monitoring.delete(SA).status_code == 403


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


def test_a_managed_subaccount_is_changed_by_the_administrator_role_alone(
    admin: TestClient, client_of_role: ClientOfRole
) -> None:
    """Access to managed subaccounts is reserved for the Administrator role, but for GET."""
    managed = {**subaccount_body(), "isManaged": True}
    subadmin = client_of_role("sccsubadmin")
    associate = client_of_role("sccassocadmin")

    assert subadmin.post(SUBACCOUNTS, json=managed).status_code == 403
    assert admin.post(SUBACCOUNTS, json=managed).status_code == 201
    assert subadmin.get(SA).status_code == 200
    refused = associate.post(f"{SA}/systemMappings", json=mapping_body())
    assert refused.status_code == 403
    assert "managed" in refused.json()["message"]
    assert subadmin.put(SA, json={"description": "x"}).status_code == 403
    assert admin.post(f"{SA}/systemMappings", json=mapping_body()).status_code == 201


def test_a_shadow_instance_changes_what_is_its_own(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """Log levels, the UI certificate and its cipher suites are each instance's own (SAP's HA
    pages): a shadow changes them; the replicated configuration stays refused."""
    with store.transaction():
        update_connector(store, haRole="shadow")
    connector = "/api/v1/configuration/connector"

    levels = with_subaccount.patch(f"{connector}/logAndTrace", json={"sccLogLevel": "DEBUG"})
    assert levels.status_code in (200, 204), levels.text
    generate = {"type": "selfsigned", "subjectDN": "CN=shadow.example", "keySize": 2048}
    certificate = with_subaccount.post(f"{connector}/ui/uiCertificate", json=generate)
    assert certificate.status_code == 201, certificate.text
    system = with_subaccount.post(f"{connector}/onPremise/systemCertificate", json=generate)
    assert system.status_code == 403
    assert with_subaccount.patch(f"{connector}/auditLog", json={"level": "ALL"}).status_code == 403

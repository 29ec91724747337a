"""The monitoring API: each operation's documented shape, its roles, and figures that move when
what they measure moves."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

from openscc.config import certs
from support.apps import make_client
from support.cloud import ReachableCloud, install
from support.config_api import REGION, SA, SUBACCOUNT, create_mapping, create_subaccount

MONITORING = "/api/monitoring"
SUBACCOUNT_LISTS = (
    ("/subaccounts", None),
    ("/connections/backends", "backendConnections"),
    ("/connections/serviceChannels", "serviceChannelConnections"),
    ("/performance/backends", "backendPerformance"),
    ("/performance/topTimeConsumers", "requests"),
    ("/usage", "usageStatistics"),
)
EVERY_PATH = [
    *(path for path, _ in SUBACCOUNT_LISTS),
    "/memory",
    "/disk",
    "/cpu",
    "/certificates",
    "/certificates/expired",
    "/certificates/expiring",
    "/certificates/ok",
    "/alerts",
]


@pytest.mark.parametrize("path", EVERY_PATH)
def test_the_administrator_and_the_monitoring_role_may_read_it_and_no_other(
    admin: TestClient,
    monitor: TestClient,
    client_of_role: Callable[[str], TestClient],
    path: str,
) -> None:
    assert admin.get(MONITORING + path).status_code == 200
    assert monitor.get(MONITORING + path).status_code == 200
    for role in ("sccassocadmin", "sccsubadmin", "sccsupport", "sccdisplay"):
        assert client_of_role(role).get(MONITORING + path).status_code == 403, role


def test_without_credentials_it_is_401(admin_app: Any) -> None:
    with make_client(admin_app) as anonymous:
        assert anonymous.get(f"{MONITORING}/memory").status_code == 401


@pytest.fixture
def configured(monitor: TestClient, admin: TestClient) -> TestClient:
    """A subaccount with a system mapping (two resources) and an open service channel."""
    install(admin, ReachableCloud())
    create_subaccount(admin)
    create_mapping(admin)
    mapping = f"{SA}/systemMappings/virtual.example:900/resources"
    for resource in ("/sap/a", "/sap/b"):
        assert admin.post(mapping, json={"id": resource, "enabled": True}).status_code == 201
    admin.post(
        f"{SA}/channels/K8S",
        json={"k8sCluster": "c", "k8sService": "s", "port": 3000, "connections": 2},
    )
    assert admin.put(f"{SA}/channels/K8S/1/state", json={"enabled": True}).status_code == 204
    return monitor


def _only(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["version"] == 1
    [entry] = answer["subaccounts"]
    assert (entry["regionHost"], entry["subaccount"], entry["locationID"]) == (
        REGION,
        SUBACCOUNT,
        "",
    )
    return entry


def test_subaccounts_report_the_tunnel_and_certificate(configured: TestClient) -> None:
    entry = _only(configured.get(f"{MONITORING}/subaccounts").json())

    tunnel = entry["tunnel"]
    assert list(entry) == [
        "regionHost",
        "subaccount",
        "displayName",
        "description",
        "locationID",
        "tunnel",
    ]
    assert set(tunnel) == {
        "state",
        "connectedSinceTimeStamp",
        "connections",
        "applicationConnections",
        "serviceChannels",
        "subaccountCertificate",
        "user",
    }
    assert tunnel["user"] == configured.get(SA).json()["tunnel"]["user"]
    assert tunnel["state"] == "Connected"  # what the (test's) tunnel reported
    assert tunnel["subaccountCertificate"]["notAfterTimeStamp"] > time.time() * 1000
    assert tunnel["serviceChannels"][0]["typeDesc"]["typeKey"] == "K8S"


def test_without_a_tunnel_the_subaccount_is_not_connected(
    admin: TestClient, monitor: TestClient
) -> None:
    create_subaccount(admin)

    tunnel = _only(monitor.get(f"{MONITORING}/subaccounts").json())["tunnel"]

    assert (tunnel["state"], tunnel["connectedSinceTimeStamp"]) == ("ConnectFailure", 0)


def test_traffic_reports_have_the_documented_shape_and_no_traffic(configured: TestClient) -> None:
    backends = _only(configured.get(f"{MONITORING}/connections/backends").json())
    channels = _only(configured.get(f"{MONITORING}/connections/serviceChannels").json())
    performance = _only(configured.get(f"{MONITORING}/performance/backends").json())
    top = _only(configured.get(f"{MONITORING}/performance/topTimeConsumers").json())
    usage = _only(configured.get(f"{MONITORING}/usage").json())

    assert backends["backendConnections"] == []
    assert channels["serviceChannelConnections"] == [
        {
            "port": 3000,
            "typeDesc": {"typeKey": "K8S", "typeName": "Kubernetes Cluster"},
            "connections": 1,
        }
    ]
    [backend] = performance["backendPerformance"]
    assert (backend["virtualHost"], backend["virtualPort"], backend["protocol"]) == (
        "virtual.example",
        "900",
        "HTTP",
    )
    assert {b["numberOfCalls"] for b in backend["buckets"]} == {0}
    assert [b["minimumCallDurationMs"] for b in backend["buckets"]][:3] == [0, 10, 20]
    dt.datetime.strptime(performance["sinceTime"], "%Y-%m-%dT%H:%M:%S.%f %z")
    assert top["requests"] == []
    [statistics] = usage["usageStatistics"]
    assert (statistics["calls"], statistics["bytesReceived"], statistics["bytesSent"]) == (0, 0, 0)
    assert [r["resourceName"] for r in statistics["resources"]] == ["/sap/a", "/sap/b"]
    assert "mostRecentAccess" not in statistics  # only after a call
    assert usage["serviceChannelUsageStatistics"][0]["port"] == 3000
    assert isinstance(usage["sinceTime"], int)


def test_memory_disk_and_cpu_have_the_documented_shape(monitor: TestClient) -> None:
    memory = monitor.get(f"{MONITORING}/memory").json()
    disk = monitor.get(f"{MONITORING}/disk").json()
    cpu = monitor.get(f"{MONITORING}/cpu").json()

    for split in (memory["physicalKB"], memory["virtualKB"], disk):
        assert list(split) == ["total", "CloudConnector", "others", "free"]
        assert split["total"] == split["CloudConnector"] + split["others"] + split["free"]
        assert min(split.values()) >= 0
    assert memory["physicalKB"]["CloudConnector"] > 10_000  # a Python server takes some MB
    assert list(memory["cloudConnectorHeapKB"]) == ["total", "used", "free"]
    assert list(cpu) == ["total", "CloudConnector"]
    assert 0 <= cpu["CloudConnector"] <= 100
    assert 0 <= cpu["total"] <= 100


def test_memory_grows_when_the_server_allocates(monitor: TestClient) -> None:
    """The server runs in this process here: 200 MB it holds show as openscc's."""
    before = monitor.get(f"{MONITORING}/memory").json()["physicalKB"]["CloudConnector"]
    ballast = b"\x01" * (200 * 1024 * 1024)

    after = monitor.get(f"{MONITORING}/memory").json()["physicalKB"]["CloudConnector"]

    assert after - before > 150 * 1024
    del ballast


def test_disk_counts_what_the_data_directory_holds(
    monitor: TestClient, admin_settings: Any
) -> None:
    before = monitor.get(f"{MONITORING}/disk").json()["CloudConnector"]
    (admin_settings.data_dir / "ballast.bin").write_bytes(b"\x00" * (8 * 1024 * 1024))

    after = monitor.get(f"{MONITORING}/disk").json()["CloudConnector"]

    assert after - before >= 7


def test_cpu_shows_the_server_working(monitor: TestClient) -> None:
    """Measured between two readings: a busy thread in the server's process in between."""
    monitor.get(f"{MONITORING}/cpu")
    deadline = time.perf_counter() + 0.6

    def spin() -> None:
        while time.perf_counter() < deadline:
            pass

    worker = threading.Thread(target=spin)
    worker.start()
    worker.join()

    assert monitor.get(f"{MONITORING}/cpu").json()["CloudConnector"] > 5


def _certificate(name: str, days: float) -> bytes:
    """A CA certificate valid until ``days`` from now (negative: expired), as PEM."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    pair = certs.self_signed(subject, is_ca=True, now=start, days=int(400 + days))
    return pair.certificate_pem.encode()


def test_certificates_are_sorted_by_the_alerting_days(
    admin: TestClient, monitor: TestClient
) -> None:
    """Every certificate openscc holds is listed; expiring means within certificateValidityDays."""
    create_subaccount(admin)
    truststore = "/api/v1/configuration/connector/onPremises/truststore/certificates"
    admin.post(truststore, files={"certificates": ("a.pem", _certificate("soon", 10))})
    admin.post(truststore, files={"certificates": ("b.pem", _certificate("gone", -2))})

    documented = monitor.get(f"{MONITORING}/certificates").json()
    lists = monitor.get(f"{MONITORING}/certificates?trustStores=true").json()
    admin.patch(
        "/api/v1/configuration/connector/alerting",
        json={"thresholds": {"certificateValidityDays": 5}},
    )
    later = monitor.get(f"{MONITORING}/certificates/expiring?trustStores=true").json()

    assert [(c["type"], c["subjectDN"]) for c in lists["expired"]] == [
        ("TrustedBackend", "CN=gone")
    ]
    # Without asking, only the four documented types: a client switching on them sees no other.
    assert {c["type"] for entries in documented.values() for c in entries} == {"UI", "subaccount"}
    assert [c["subjectDN"] for c in lists["expiring"]] == ["CN=soon"]
    ok_types = sorted(c["type"] for c in lists["ok"])
    assert ok_types == ["UI", "subaccount"]
    ui = next(c for c in lists["ok"] if c["type"] == "UI")
    assert list(ui) == ["type", "subjectDN", "issuerDN", "serialNumber", "validTo"]
    assert ":" in ui["serialNumber"] or len(ui["serialNumber"]) <= 2
    subaccount = next(c for c in lists["ok"] if c["type"] == "subaccount")
    assert subaccount == {
        "type": "subaccount",
        "subaccountName": SUBACCOUNT,
        "subaccountRegion": REGION,
        "validTo": subaccount["validTo"],
    }
    assert later == []
    assert monitor.get(f"{MONITORING}/certificates/soon").status_code == 404


def test_alerts_are_the_ones_openscc_raised(admin_app: Any, monitor: TestClient) -> None:
    admin_app.state.services.alerts.raise_alert("Backup", "A backup failed: disk full")

    answer = monitor.get(f"{MONITORING}/alerts").json()

    assert answer["version"] == 1
    [alert] = answer["alerts"]
    assert list(alert) == ["timestamp", "status", "type", "origin", "message", "entity"]
    assert (alert["status"], alert["type"], alert["origin"]) == ("Error", "Backup", "Master")
    assert alert["message"] == "A backup failed: disk full"


@pytest.mark.parametrize(
    ("older", "current"),
    [
        ("/performance/toptimeconsumers", "/performance/topTimeConsumers"),
        ("/connections/servicechannels", "/connections/serviceChannels"),
    ],
)
def test_older_releases_lower_case_paths_answer_the_same(
    configured: TestClient, older: str, current: str
) -> None:
    """Monitoring agents written against older releases send the lower-case spelling."""
    answer = configured.get(f"{MONITORING}{older}")

    assert answer.status_code == 200
    assert answer.json() == configured.get(f"{MONITORING}{current}").json()


def test_usage_names_the_subaccount_as_the_product_payloads_do(configured: TestClient) -> None:
    """The page documents regionHost and subaccount; the product's payloads (the page's
    screenshot) carry subaccountName and subaccountRegion: both are there."""
    usage = _only(configured.get(f"{MONITORING}/usage").json())

    assert (usage["subaccountName"], usage["subaccountRegion"]) == (SUBACCOUNT, REGION)
    assert (usage["subaccount"], usage["regionHost"]) == (SUBACCOUNT, REGION)


def test_certificate_names_are_spaced_as_the_product_shows_them(
    admin: TestClient, monitor: TestClient
) -> None:
    subject = "CN=Hugo,OU=CSI,O=SAP Trust Community,C=DE"
    admin.post(
        "/api/v1/configuration/connector/onPremise/systemCertificate",
        json={"type": "selfsigned", "subjectDN": subject},
    )

    lists = monitor.get(f"{MONITORING}/certificates").json()

    [system] = [c for entries in lists.values() for c in entries if c["type"] == "System"]
    assert system["subjectDN"] == "CN=Hugo, OU=CSI, O=SAP Trust Community, C=DE"
    assert system["issuerDN"] == system["subjectDN"]


def test_alerts_are_listed_oldest_first(admin_app: Any, monitor: TestClient) -> None:
    """As the product's monitoring lists them (the page's screenshot)."""
    alerts = admin_app.state.services.alerts
    alerts.raise_alert("Backup", "first")
    alerts.raise_alert("HA", "second")

    answer = monitor.get(f"{MONITORING}/alerts").json()

    assert [a["message"] for a in answer["alerts"]] == ["first", "second"]

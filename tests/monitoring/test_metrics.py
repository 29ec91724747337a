"""GET /metrics: the Prometheus text format, as Prometheus's own parser reads it, for the roles
Monitoring and Administrator; and figures that move when what they count happens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from openscc.auth.users import ADMINISTRATOR
from support.in_process import InProcessServer

METRICS = "/metrics"
MONITOR = ("monitor", "Monitor-pa55word")


@pytest.fixture
def connector(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path / "data", login_failures_before_lockout=3) as server:
        server.add_user(*MONITOR[:1], "sccmonitoring", MONITOR[1])
        yield server


def scrape(server: InProcessServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample: (name, sorted labels) -> value, parsed by prometheus_client."""
    response = server.http.get(METRICS, auth=MONITOR)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_the_documented_metrics_are_there(connector: InProcessServer) -> None:
    connector.http.get("/api/v1/connector/version", auth=connector.auth)

    names = {name for name, _ in scrape(connector)}

    assert {
        "openscc_http_requests_total",
        "openscc_http_request_duration_seconds_bucket",
        "openscc_logon_failures_total",
        "openscc_lockouts_total",
        "openscc_backup_operations_total",
        "openscc_backup_last_success_timestamp_seconds",
        "openscc_backup_last_failure_timestamp_seconds",
        "openscc_backup_last_size_bytes",
        "openscc_newest_backup_age_seconds",
        "openscc_certificate_expiry_timestamp_seconds",
        "process_resident_memory_bytes",
    } <= names


def test_only_monitoring_and_the_administrator_may_scrape(connector: InProcessServer) -> None:
    connector.add_user("viewer", "sccdisplay", "Viewer-pa55word")

    assert connector.http.get(METRICS, auth=connector.auth).status_code == 200
    assert connector.http.get(METRICS, auth=("viewer", "Viewer-pa55word")).status_code == 403
    connector.http.cookies.clear()  # no session of an earlier request
    assert connector.http.get(METRICS).status_code == 401


def test_requests_are_counted_by_route_template_and_status(connector: InProcessServer) -> None:
    before = scrape(connector)
    sa = "/api/v1/configuration/subaccounts/cf.eu10.hana.ondemand.com/nope"
    for _ in range(3):
        connector.http.get(sa, auth=connector.auth)

    after = scrape(connector)

    route = "/api/v1/configuration/subaccounts/{region}/{subaccount}"
    labels = {"method": "GET", "route": route, "status": "404"}
    assert (
        value(after, "openscc_http_requests_total", **labels)
        - value(before, "openscc_http_requests_total", **labels)
        == 3
    )
    assert (
        value(after, "openscc_http_request_duration_seconds_count", method="GET", route=route) >= 3
    )


def test_logon_failures_and_lockouts_are_counted(connector: InProcessServer) -> None:
    for _ in range(3):  # the third locks the user out
        connector.http.get("/api/v1/connector/version", auth=(ADMINISTRATOR, "wrong"))

    samples = scrape(connector)

    assert value(samples, "openscc_logon_failures_total") == 3
    assert value(samples, "openscc_lockouts_total") == 1


def test_a_backup_moves_the_backup_metrics(connector: InProcessServer) -> None:
    before = scrape(connector)
    started = time.time()

    archive = connector.backup()

    after = scrape(connector)
    assert value(before, "openscc_newest_backup_age_seconds") == float("inf")
    assert (
        value(after, "openscc_backup_operations_total", operation="backup", outcome="success") == 1
    )
    assert value(after, "openscc_backup_last_success_timestamp_seconds", operation="backup") >= int(
        started
    )
    assert value(after, "openscc_backup_last_size_bytes", operation="backup") == len(archive)
    assert value(after, "openscc_backup_operation_duration_seconds_count", operation="backup") == 1
    assert value(after, "openscc_newest_backup_age_seconds") < 60


def test_a_failed_backup_is_counted_and_dated(
    connector: InProcessServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openscc.api.routes.backup.configuration_backup as backup_api

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_api, "create_backup", full_disk)
    refused = connector.http.post("/api/v1/configuration/backup", auth=connector.auth, json={})

    failed = connector.http.post(
        "/api/v1/configuration/backup", auth=connector.auth, json={"password": "pw"}
    )

    samples = scrape(connector)
    assert (refused.status_code, failed.status_code) == (400, 500)
    assert (
        value(samples, "openscc_backup_operations_total", operation="backup", outcome="refused")
        == 1
    )
    assert (
        value(samples, "openscc_backup_operations_total", operation="backup", outcome="failure")
        == 1
    )
    assert value(samples, "openscc_backup_last_failure_timestamp_seconds", operation="backup") > 0
    assert value(samples, "openscc_backup_last_success_timestamp_seconds", operation="backup") == 0


def test_the_history_survives_a_restore_and_its_restart(connector: InProcessServer) -> None:
    """The restore restarts the server: counters start again, the history does not."""
    archive = connector.backup()
    assert connector.restore(archive).status_code == 204
    connector.restart()

    samples = scrape(connector)

    assert value(samples, "openscc_backup_last_success_timestamp_seconds", operation="backup") > 0
    assert value(samples, "openscc_backup_last_success_timestamp_seconds", operation="restore") > 0
    assert value(samples, "openscc_backup_last_size_bytes", operation="restore") == len(archive)
    assert (
        value(samples, "openscc_backup_operations_total", operation="backup", outcome="success")
        == 0
    )
    assert value(samples, "openscc_newest_backup_age_seconds") < 60


def test_a_safety_backup_counts_as_the_newest_backup(tmp_path: Path) -> None:
    """Backups made elsewhere and restored here leave a safety backup: the newest backup known."""
    with InProcessServer(tmp_path / "a") as source:
        archive = source.backup()
    with InProcessServer(tmp_path / "b") as target:
        target.add_user("monitor", "sccmonitoring", MONITOR[1])
        assert target.restore(archive).status_code == 204

        samples = scrape(target)

    assert value(samples, "openscc_newest_backup_age_seconds") < 60


def test_certificate_expiry_is_exported(connector: InProcessServer) -> None:
    samples = scrape(connector)

    [ui] = [
        v
        for (name, labels), v in samples.items()
        if name == "openscc_certificate_expiry_timestamp_seconds" and ("type", "UI") in labels
    ]
    assert ui > time.time()


def test_process_memory_is_exported(connector: InProcessServer) -> None:
    assert value(scrape(connector), "process_resident_memory_bytes") > 10 * 1024 * 1024


def test_the_documented_alert_rules_use_exported_metrics(
    connector: InProcessServer,
) -> None:
    """docs/monitoring.md's alert rules use metrics the server exports."""
    import re

    schedule = {"name": "nightly", "cron": "0 2 * * *", "password": "Schedule-pa55word",
                "target": {"type": "directory", "path": "/srv/backups"}}  # fmt: skip
    made = connector.http.post("/api/openscc/v1/backup/schedules", json=schedule,
                               auth=connector.auth)  # fmt: skip
    assert made.status_code == 201, made.text  # a schedule has its own figures
    text = (Path(__file__).resolve().parents[2] / "docs" / "monitoring.md").read_text()
    rules = [line for line in text.splitlines() if line.strip().startswith("expr:")]
    used = set(re.findall(r"\b(openscc_[a-z_]+)\b", "\n".join(rules)))
    exported = {name for name, _ in scrape(connector)}
    families = {re.sub(r"_(bucket|count|sum|total|created)$", "", n) for n in exported}

    assert used
    assert {n for n in used if n not in exported and n not in families} == set()

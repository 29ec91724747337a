"""CPU and disk alerts: the decisions, and the check against the real machine."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.alerts.resources import CpuWatch, Thresholds, disk_message

LIMITS = Thresholds(cpu_percent=80, cpu_tolerance_seconds=60, free_disk_mb=100)
ALERTING = "/api/v1/configuration/connector/alerting"


def test_cpu_load_must_stay_above_the_threshold_longer_than_the_tolerance() -> None:
    watch = CpuWatch()

    first = watch.observe(start=0, end=30, total=95, mine=10, limits=LIMITS)
    second = watch.observe(start=30, end=60, total=90, mine=10, limits=LIMITS)
    third = watch.observe(start=60, end=90, total=85, mine=12, limits=LIMITS)

    assert (first, second) == (None, None)
    assert third is not None
    assert third.startswith("CPU load exceeded 80 percent for more than 60 seconds")
    assert "all processes: 85%, Cloud Connector: 12%" in third


def test_a_reading_at_or_below_the_threshold_starts_the_count_again() -> None:
    watch = CpuWatch()
    watch.observe(start=0, end=50, total=95, mine=1, limits=LIMITS)
    watch.observe(start=50, end=60, total=80, mine=1, limits=LIMITS)

    assert watch.observe(start=60, end=100, total=95, mine=1, limits=LIMITS) is None
    assert watch.observe(start=100, end=121, total=95, mine=1, limits=LIMITS) is not None


@pytest.mark.parametrize(("free", "expected"), [(99, True), (100, False), (5000, False)])
def test_free_disk_space_below_the_threshold(free: int, expected: bool) -> None:
    message = disk_message(free, 12, 100)

    assert (message is not None) is expected
    if message:
        assert message.endswith(f"{free} MB are free (Currently used by Cloud Connector: 12 MB)")


def _alerts(admin: TestClient, kind: str) -> list[dict[str, object]]:
    return [a for a in admin.get("/api/monitoring/alerts").json()["alerts"] if a["type"] == kind]


def test_the_check_raises_and_resolves_the_disk_alert(
    admin_app: Starlette, admin: TestClient
) -> None:
    """No disk has 10 TB free here; with the threshold back at 1 MB the alert is resolved."""
    service = admin_app.state.services.alerts
    admin.patch(ALERTING, json={"thresholds": {"freeDiskSpaceMb": 10_000_000}})

    asyncio.run(service.check_resources())
    raised = _alerts(admin, "Disk")
    asyncio.run(service.check_resources())  # still in force: not raised again
    admin.patch(ALERTING, json={"thresholds": {"freeDiskSpaceMb": 1}})
    asyncio.run(service.check_resources())

    [alert] = _alerts(admin, "Disk")
    assert [a["status"] for a in raised] == ["Warning"]
    assert alert["status"] == "Info"


def test_the_check_raises_the_cpu_alert_from_the_machine_s_load(
    admin_app: Starlette, admin: TestClient
) -> None:
    service = admin_app.state.services.alerts
    admin.patch(ALERTING, json={"thresholds": {"cpuLoad": 0, "cpuLoadViolationToleranceSec": 0}})
    deadline = time.perf_counter() + 0.3
    while time.perf_counter() < deadline:  # some load, so the machine is above 0 %
        pass

    asyncio.run(service.check_resources())

    [alert] = _alerts(admin, "CPU")
    assert alert["status"] == "Warning"
    assert str(alert["message"]).startswith("CPU load exceeded 0 percent for more than 0 seconds")

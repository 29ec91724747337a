"""openscc's Prometheus metrics (``GET /metrics``), in a registry of each app's own.

Counted as they happen: requests (per route template and status, with their latency), logon
failures and lockouts, audit events, backups and restores (per outcome, with their duration).
Read at each scrape: the backup history (last success and failure, size, the newest backup's age,
kept across restarts), certificate expiry, and the process (memory, CPU, open files).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from openscc.layout import DataDir
from openscc.monitoring.backup_history import OPERATIONS, BackupHistory
from openscc.monitoring.schedule_figures import ScheduleFigures
from openscc.monitoring.schedule_figures import families as schedule_families

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"  # the route label of a request no route matched
SUCCESS, FAILURE, REFUSED = "success", "failure", "refused"
_LOGON_FAILURES = frozenset({"login.failure", "login.lockout"})
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_OPERATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


@dataclass(frozen=True, slots=True)
class CertificateExpiry:
    role: str  # UI, System, CA, subaccount, TrustedBackend, TrustedEmailServer
    name: str  # which one of its role: a subaccount, an alias; empty for the connector's own
    expires: float  # epoch seconds


class Metrics:
    def __init__(self, history: BackupHistory, data_dir: Path) -> None:
        self.registry = CollectorRegistry()
        self.history = history
        registry = self.registry
        self._requests = Counter(
            "openscc_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self._latency = Histogram(
            "openscc_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self._logon_failures = Counter(
            "openscc_logon_failures", "Logons refused for a wrong password", registry=registry
        )
        self._lockouts = Counter(
            "openscc_lockouts", "Users locked out after repeated failed logons", registry=registry
        )
        self._audit_events = Counter(
            "openscc_audit_events",
            "Security events, by name (counted whatever the audit level records)",
            ["event"],
            registry=registry,
        )
        self._alert_emails = Counter(
            "openscc_alert_emails",
            "Alert e-mails by outcome: sent, or failed (the server could not deliver it)",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("sent", "failed"):
            self._alert_emails.labels(outcome)
        self._operations = Counter(
            "openscc_backup_operations",
            "Backups and restores, by outcome: success, failure (5xx), refused (4xx)",
            ["operation", "outcome"],
            registry=registry,
        )
        self._durations = Histogram(
            "openscc_backup_operation_duration_seconds",
            "Time a successful backup (to a complete archive) or restore (to its 204) took",
            ["operation"],
            buckets=_OPERATION_BUCKETS,
            registry=registry,
        )
        for operation in OPERATIONS:
            for outcome in (SUCCESS, FAILURE, REFUSED):
                self._operations.labels(operation, outcome)
        self._alert_checks = Counter(
            "openscc_alert_checks",
            "Periodic alert checks done (certificates, CPU, disk)",
            registry=registry,
        )
        self._ha_checks = Counter(
            "openscc_ha_checks",
            "Times high availability looked at the pair's state (the link, the shadow's health)",
            registry=registry,
        )
        self._schedule_checks = Counter(
            "openscc_schedule_checks",
            "Times the backup scheduler looked for due schedules (it is alive while this grows)",
            registry=registry,
        )
        ProcessCollector(registry=registry)  # process_resident_memory_bytes and the like
        self._state = _StateCollector(history, data_dir)
        registry.register(self._state)
        self._scrape = threading.Lock()

    # Counted as it happens

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self._requests.labels(method, route, str(status)).inc()
        self._latency.labels(method, route).observe(seconds)

    def observe_audit_event(self, event: str) -> None:
        self._audit_events.labels(event).inc()
        if event in _LOGON_FAILURES:
            self._logon_failures.inc()
        if event == "login.lockout":
            self._lockouts.inc()

    def alert_email(self, *, sent: bool) -> None:
        self._alert_emails.labels("sent" if sent else "failed").inc()

    def backup_done(self, operation: str, *, size: int, seconds: float) -> None:
        self._operations.labels(operation, SUCCESS).inc()
        self._durations.labels(operation).observe(seconds)
        self.history.succeeded(operation, at=time.time(), size=size, seconds=seconds)

    def backup_failed(self, operation: str, *, server_error: bool) -> None:
        self._operations.labels(operation, FAILURE if server_error else REFUSED).inc()
        if server_error:
            self.history.failed(operation, at=time.time())

    def alerts_checked(self) -> None:
        self._alert_checks.inc()

    def ha_checked(self) -> None:
        self._ha_checks.inc()

    def schedules_checked(self) -> None:
        self._schedule_checks.inc()

    # Read at a scrape

    def render(
        self,
        certificates: Iterable[CertificateExpiry],
        schedules: Iterable[ScheduleFigures] = (),
    ) -> bytes:
        """The text exposition, with the certificates' expiry and the schedules' figures as
        they are now."""
        with self._scrape, self._state.for_scrape(list(certificates), list(schedules)):
            return generate_latest(self.registry)


class _StateCollector(Collector):
    """Gauges read when scraped: the backup history, the newest backup, certificates."""

    def __init__(self, history: BackupHistory, data_dir: Path) -> None:
        self._history = history
        self._data_dir = data_dir
        self._certificates: list[CertificateExpiry] = []
        self._schedules: list[ScheduleFigures] = []

    def for_scrape(
        self, certificates: list[CertificateExpiry], schedules: list[ScheduleFigures]
    ) -> _Scrape:
        return _Scrape(self, certificates, schedules)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for suffix, help_text, read in _HISTORY_GAUGES:
            family = GaugeMetricFamily(f"openscc_{suffix}", help_text, labels=["operation"])
            for operation in OPERATIONS:
                family.add_metric([operation], read(self._history, operation))
            yield family
        newest = max(
            self._history.outcomes("backup").last_success, newest_safety_backup(self._data_dir)
        )
        yield GaugeMetricFamily(
            "openscc_newest_backup_timestamp_seconds",
            "When the newest backup known to the server was made (0: none)",
            value=newest,
        )
        yield GaugeMetricFamily(
            "openscc_newest_backup_age_seconds",
            "Seconds since the newest backup known to the server (+Inf: none)",
            value=time.time() - newest if newest else float("inf"),
        )
        expiry = GaugeMetricFamily(
            "openscc_certificate_expiry_timestamp_seconds",
            "When each certificate openscc holds expires",
            labels=["type", "name"],
        )
        for item in self._certificates:
            expiry.add_metric([item.role, item.name], item.expires)
        yield expiry
        yield from schedule_families(self._schedules, time.time())


class _Scrape:
    """Holds the certificates for the duration of one scrape."""

    def __init__(
        self,
        state: _StateCollector,
        certificates: list[CertificateExpiry],
        schedules: list[ScheduleFigures],
    ) -> None:
        self._state = state
        self._certificates = certificates
        self._schedules = schedules

    def __enter__(self) -> None:
        self._state._certificates = self._certificates
        self._state._schedules = self._schedules

    def __exit__(self, *exc: object) -> None:
        self._state._certificates = []
        self._state._schedules = []


_HistoryRead = Callable[[BackupHistory, str], float]
_HISTORY_GAUGES: tuple[tuple[str, str, _HistoryRead], ...] = (
    (
        "backup_last_success_timestamp_seconds",
        "When the operation last succeeded (0: never)",
        lambda h, op: h.outcomes(op).last_success,
    ),
    (
        "backup_last_failure_timestamp_seconds",
        "When the operation last failed with a server error (0: never)",
        lambda h, op: h.outcomes(op).last_failure,
    ),
    (
        "backup_last_size_bytes",
        "Size of the archive of the last successful backup, or restored",
        lambda h, op: float(h.outcomes(op).last_size),
    ),
    (
        "backup_last_duration_seconds",
        "Duration of the last successful operation",
        lambda h, op: h.outcomes(op).last_duration,
    ),
)


def newest_safety_backup(data_dir: Path) -> float:
    """When the newest safety backup was written (epoch seconds; 0: none)."""
    folder = DataDir(data_dir).safety_backups
    try:
        times = [path.stat().st_mtime for path in folder.glob("safety-*.zip")]
    except OSError:
        return 0.0
    return max(times, default=0.0)

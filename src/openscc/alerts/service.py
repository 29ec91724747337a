"""The alerting service of one app: raises, keeps and e-mails alerts, and watches certificates.

``raise_alert`` may be called from any thread (the event loop, the store thread, a worker) and
never blocks: it records the alert and queues its e-mail (it raises only ValueError, for an
unknown kind or status: a programming error). One job at a time in the runtime's workers sends
the queue in order: it reads the e-mail and alerting configuration on a snapshot connection of
its own, decides whether to send, and sends with a timeout; a failure is logged without secrets
and raises the AlertEmail alert. At most ``MAX_QUEUED`` e-mails wait; more are dropped with a
log line. The certificate check runs on the event loop and reads the store in the store thread.

The alerts kept survive a restart: they are read from the database when the service is made, and
each one recorded is queued for the store thread to write (openscc.alerts.kept).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from openscc.alerts import expiry, kept, mail, notify, resources, test_mail
from openscc.alerts.mail import reason_of
from openscc.alerts.model import (
    ALERT_EMAIL,
    CERTIFICATE_KINDS,
    ERROR,
    INFO,
    STATUSES,
    WARNING,
    Alert,
    AlertBook,
    kind_of,
    origin_of,
)
from openscc.background.workers import Workers
from openscc.config import alerting, certificate_inventory, email, email_truststore
from openscc.config.connector_state import ha_role
from openscc.errors import OpensccError
from openscc.instance import Instance
from openscc.logsafe import shown
from openscc.monitoring.system import SystemFigures
from openscc.store.thread import StoreThread

logger = logging.getLogger("openscc.alerts")

MAX_QUEUED = 100
CPU = "CPU"
DISK = "Disk"
_MB = 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class _Scan:
    origin: str
    days: int
    findings: list[expiry.Finding]


class AlertService:
    def __init__(
        self,
        instance: Instance,
        store_thread: StoreThread,
        workers: Workers,
        *,
        smtp_timeout: float,
        server: str,
        system: SystemFigures,
        now: Callable[[], float] = time.time,
        mailed: Callable[[bool], None] = lambda sent: None,
        checked: Callable[[], None] = lambda: None,
    ) -> None:
        self._instance = instance
        self._store_thread = store_thread
        self._smtp_timeout = smtp_timeout
        self._server = server
        self._now = now
        self._checked = checked  # each periodic check done (a metric)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._book = AlertBook(kept=kept.load(instance.store))
        self._origin = origin_of(ha_role(instance.store))
        self._workers = workers
        self._outbox: deque[Alert] = deque()
        self._sending = False  # a job is sending the outbox
        self._pending = 0  # e-mails queued or being sent
        self._closed = False
        # The CPU and disk check: its own readings of the machine (see openscc.monitoring).
        self._system = system
        self._cpu_watch = resources.CpuWatch()
        self._last_cpu_reading = now()
        # Told of each e-mail's outcome (True: sent): the metrics count them.
        self._mailed = mailed

    # Raising and resolving

    def send_test_mail(self) -> tuple[bool, str]:
        """Blocking: a test e-mail through the stored configuration (openscc.alerts.test_mail)."""
        return test_mail.send_test_mail(
            self._instance, server=self._server, timeout=self._smtp_timeout
        )

    def raise_alert(
        self, kind: str, message: str, *, entity: str = "", status: str = ERROR
    ) -> Alert | None:
        """Raise an alert of ``kind`` (see openscc.alerts.model.KINDS), status Error or Warning.
        The same alert is not raised again while it is in force; returns the new alert, or None
        when it repeats the one in force."""
        kind_of(kind)
        if status not in STATUSES or status == INFO:
            raise ValueError(f"an alert is raised as Error or Warning, not {status!r}")
        return self._record(kind, message, entity, status)

    def resolve_alert(self, kind: str, message: str, *, entity: str = "") -> Alert | None:
        """Replace the unresolved alert of ``kind`` and ``entity`` with an informational one that
        says ``message`` (and e-mail it); None if no such alert is in force."""
        kind_of(kind)
        with self._lock:
            if not self._book.is_unresolved((kind, entity)):
                return None
        return self._record(kind, message, entity, INFO)

    def recent(self) -> list[Alert]:
        """The alerts kept (the most recent 500), oldest first."""
        with self._lock:
            return self._book.recent()

    def _record(self, kind: str, message: str, entity: str, status: str) -> Alert | None:
        alert = Alert(
            timestamp=int(self._now() * 1000),
            status=status,
            type=kind,
            origin=self._origin,
            message=message,
            entity=entity,
        )
        with self._lock:
            if not self._book.record(alert):
                return None
        self._store_thread.record(kept.save, self._instance.store, alert)
        level = logging.INFO if status == INFO else logging.WARNING
        logger.log(level, "alert %s (%s): %s", kind, status, shown(message, 1000))
        self._dispatch(alert)
        return alert

    # E-mail, in the mail thread

    def _dispatch(self, alert: Alert) -> None:
        if alert.type == ALERT_EMAIL:
            return  # not through the way that fails
        with self._lock:
            if self._closed:
                return
            if self._pending >= MAX_QUEUED:
                logger.error(
                    "too many alert e-mails are waiting; the %s alert is not e-mailed", alert.type
                )
                return
            self._outbox.append(alert)
            self._pending += 1
            if self._sending:
                return
            self._sending = True
        self._workers.submit(self._send_outbox)

    def _send_outbox(self) -> None:
        """In a worker: send the queued e-mails in order, one at a time."""
        while True:
            with self._lock:
                if self._closed or not self._outbox:
                    self._sending = False
                    self._idle.notify_all()
                    return
                alert = self._outbox.popleft()
            try:
                self._mail(alert)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._idle.notify_all()

    def _mail(self, alert: Alert) -> None:
        try:
            with self._instance.snapshot() as store:
                body, password = email.stored(store)
                settings = email.sending_settings(body, password)
                if settings is None or not notify.should_mail(alert, alerting.current(store)):
                    return
                trusted = email_truststore.trusted_pems(store) if settings.uses_tls else []
            message = notify.compose(
                alert, settings, instance_id=self._instance.instance_id, server=self._server
            )
            mail.send(message, settings, trusted, timeout=self._smtp_timeout)
        except (
            OpensccError,
            mail.MailRefused,
            smtplib.SMTPException,
            ssl.SSLError,
            OSError,
        ) as error:
            self._not_sent(alert, reason_of(error))
        except Exception as error:
            self._not_sent(alert, f"unexpected {type(error).__name__}")
        else:
            logger.info("the %s alert was e-mailed through %s", alert.type, shown(settings.host))
            self._mailed(True)
            self.resolve_alert(ALERT_EMAIL, "Alert e-mails are sent again")

    def _not_sent(self, alert: Alert, reason: str) -> None:
        """A failed send is more than a log line: an alert of its own (the monitoring API, the
        web page) and a metric, so that alerting that silently stopped is seen."""
        logger.error("the %s alert could not be e-mailed: %s", alert.type, reason)
        self._mailed(False)
        self.raise_alert(
            ALERT_EMAIL,
            "Alert e-mails cannot be sent; check the e-mail settings and the mail server "
            "(the server log says why)",
        )

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no e-mail is waiting or being sent; False if that took over ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    # The certificate check

    async def check_certificates(self) -> None:
        """Raise an alert for each certificate that is expired or expires within the configured
        days, and resolve those that no longer do (renewed, replaced or removed)."""
        now = dt.datetime.fromtimestamp(self._now(), dt.UTC)
        scan = await self._store_thread.run(self._scan, now)
        self._origin = scan.origin
        in_force = set()
        for finding in scan.findings:
            in_force.add((finding.type, finding.entity))
            self.raise_alert(
                finding.type, finding.message, entity=finding.entity, status=finding.status
            )
        with self._lock:
            gone = self._book.unresolved(CERTIFICATE_KINDS) - in_force
        for kind, entity in sorted(gone):
            self.resolve_alert(
                kind,
                f"The certificate no longer expires within {scan.days} days (it was renewed, "
                "replaced or removed)",
                entity=entity,
            )

    def _scan(self, now: dt.datetime) -> _Scan:
        """In the store thread: what the check needs from the store, and its findings."""
        store = self._instance.store
        days = alerting.certificate_days(alerting.current(store))
        held = certificate_inventory.held_certificates(store)
        return _Scan(
            origin=origin_of(ha_role(store)), days=days, findings=expiry.findings(held, now, days)
        )

    # The CPU and disk check

    async def check_resources(self) -> None:
        """Raise the CPU alert when the load stays above the threshold longer than the
        tolerance, the Disk alert when free space drops below the threshold; resolve them when
        that ends. An alert in force is not raised again (its figures change at every check)."""
        limits = await self._store_thread.run(self._resource_thresholds)
        start = self._last_cpu_reading
        total, mine = await self._workers.run(self._system.cpu)
        self._last_cpu_reading = end = self._now()
        cpu = self._cpu_watch.observe(start=start, end=end, total=total, mine=mine, limits=limits)
        self._raise_or_resolve(CPU, cpu, f"CPU load is back at or below {limits.cpu_percent}%")
        usage = await self._workers.run(self._system.disk)
        disk = resources.disk_message(usage.free // _MB, usage.openscc // _MB, limits.free_disk_mb)
        self._raise_or_resolve(
            DISK, disk, f"Free disk space is back at or above {limits.free_disk_mb} MB"
        )

    def _resource_thresholds(self) -> resources.Thresholds:
        thresholds = alerting.current(self._instance.store)[alerting.THRESHOLDS]
        return resources.Thresholds(
            cpu_percent=int(thresholds["cpuLoad"]),
            cpu_tolerance_seconds=int(thresholds["cpuLoadViolationToleranceSec"]),
            free_disk_mb=int(thresholds["freeDiskSpaceMb"]),
        )

    def _raise_or_resolve(self, kind: str, message: str | None, resolved: str) -> None:
        with self._lock:
            in_force = self._book.is_unresolved((kind, ""))
        if message is None:
            if in_force:
                self.resolve_alert(kind, resolved)
        elif not in_force:
            self.raise_alert(kind, message, status=WARNING)

    async def watch(self, interval: float) -> None:
        """Check the certificates, the CPU and the disk now and every ``interval`` seconds,
        until cancelled."""
        while True:
            for check in (self.check_certificates, self.check_resources):
                try:
                    await check()
                except Exception:
                    logger.exception("an alert check failed; it runs again in %s s", interval)
            self._checked()
            await asyncio.sleep(interval)

    def close(self) -> None:
        """Stop e-mailing: what waits is dropped, a send under way finishes in its worker."""
        with self._lock:
            self._closed = True
            dropped = len(self._outbox)
            self._outbox.clear()
            self._pending -= dropped
            self._idle.notify_all()
        if dropped:
            logger.warning("closing: %d alert e-mail(s) not sent", dropped)

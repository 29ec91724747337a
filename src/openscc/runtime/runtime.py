"""The runtime of one instance: the subsystems it builds on the opened data directory, the work
that runs in the background, and the one way it all stops.

It owns, and nothing else starts or stops:

- the store thread, where every use of the store's connection runs (openscc.store.thread);
- the workers, where blocking jobs run (openscc.background.workers);
- the alerts and their e-mails (openscc.alerts), with the certificate, CPU and disk checks;
- high availability (openscc.ha): the shadow's link, the master's watch;
- the backup schedules (openscc.schedules): their timer and runs;
- the metrics (openscc.monitoring).

``running()`` is the app's whole lifespan: one TaskGroup holding each subsystem's loop, cancelled
on the way out; then the workers are told to stop and given ``STOP_DEADLINE_SECONDS`` (a
scheduled run stopped between its stages is recorded as interrupted; one stuck in an upload is
left to its daemon thread), and the store thread, the change stamp and the instance are closed
last. A SIGTERM or a restore's restart therefore never waits for background work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

from openscc.alerts.service import AlertService
from openscc.background.workers import StopSignal, Workers
from openscc.config import log_settings
from openscc.ha.coordinator import HighAvailability
from openscc.instance import Instance
from openscc.monitoring import backup_history
from openscc.monitoring.backup_history import BackupHistory
from openscc.monitoring.metrics import Metrics
from openscc.monitoring.system import SystemFigures
from openscc.schedules.drill import run_drill
from openscc.schedules.runner import Runner
from openscc.schedules.runs import RunLog
from openscc.schedules.scheduler import Scheduler
from openscc.settings import Settings
from openscc.store.stamp import ChangeStamp
from openscc.store.thread import StoreThread

logger = logging.getLogger("openscc.runtime")
# How long a stop waits for background jobs to end between their stages.
STOP_DEADLINE_SECONDS = 2.0


class Runtime:
    def __init__(
        self,
        settings: Settings,
        instance: Instance,
        *,
        request_restart: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.instance = instance
        self.request_restart = request_restart
        self.started_ms = int(time.time() * 1000)
        # The stored log levels apply from the start (and at once when changed).
        log_settings.apply_stored_levels(instance.store)
        self.store_thread = StoreThread()
        # An audit line recorded on the event loop is appended in the store thread, in order.
        instance.audit.defer = self.store_thread.record
        self.workers = Workers()
        self.stamp = ChangeStamp(instance.layout.database)
        # Each backup or restore holds the KDF's memory (64 MiB) for a moment; a few at a time.
        self.kdf_slots = threading.BoundedSemaphore(settings.backup_kdf_slots)
        self.system = SystemFigures(instance.data_dir)
        runs = RunLog(instance.store)
        _take_over_records(instance, runs)
        self.metrics = Metrics(
            BackupHistory(
                backup_history.load(instance.store),
                persist=lambda op, outcome: self.store_thread.record(
                    backup_history.save, instance.store, op, outcome
                ),
            ),
            instance.data_dir,
        )
        instance.audit.observers.append(self.metrics.observe_audit_event)
        self.alerts = AlertService(
            instance,
            self.store_thread,
            self.workers,
            smtp_timeout=settings.smtp_timeout_seconds,
            server=f"https://{settings.host}:{settings.port}",
            system=self.system,
            mailed=lambda sent: self.metrics.alert_email(sent=sent),
            checked=self.metrics.alerts_checked,
        )
        self.ha = HighAvailability(
            instance,
            self.store_thread,
            self.workers,
            audit=instance.audit,
            alerts=self.alerts,
            ui_port=settings.port,
            looked=self.metrics.ha_checked,
        )
        self.schedules = Scheduler(
            instance,
            self.store_thread,
            Runner(
                instance=instance,
                store_thread=self.store_thread,
                workers=self.workers,
                runs=runs,
                metrics=self.metrics,
                alerts=self.alerts,
                audit=instance.audit,
                kdf_slots=self.kdf_slots,
                drill=_drill,
            ),
        )
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._running = False
        self._closed = False

    def _loops(self) -> dict[str, Callable[[], Coroutine[Any, Any, None]]]:
        """What runs for the whole life of the app, one task each. A drill's throwaway
        instance serves its restored configuration and nothing more: it must not ship backups,
        prune targets, join a pair or send e-mails for the original."""
        if self.settings.drill:
            return {}
        return {
            # The certificates, the CPU and the disk, checked at start and then periodically.
            "alerts": lambda: self.alerts.watch(self.settings.alert_check_interval_seconds),
            # The shadow's link to its master, the master's watch of its shadow.
            "high-availability": self.ha.run,
            # Each backup schedule, when its cron expression comes due (on a master).
            "schedules": self.schedules.run,
        }

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The app's lifespan: the background loops run in one task group while it is entered
        (``tasks`` names them); leaving cancels them, then closes everything (``close``). A
        second lifespan while one runs (a second test client of the same app) shares it."""
        if self._running:
            yield
            return
        self._running = True
        try:
            async with asyncio.TaskGroup() as group:
                for name, loop in self._loops().items():
                    self.tasks[name] = group.create_task(loop(), name=name)
                try:
                    yield
                finally:
                    for task in self.tasks.values():
                        task.cancel()
        finally:
            self.close()

    def close(self) -> None:
        """Stop: the background jobs are told to and get a deadline, then the store thread
        finishes its queue, and the stamp and the instance close. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.ha.close()
        self.alerts.close()
        self.workers.stop(STOP_DEADLINE_SECONDS)
        self.store_thread.close()
        self.stamp.close()
        self.instance.close()


def _drill(archive: Path, password: str, stop: StopSignal) -> tuple[bool, str]:
    report = run_drill(archive, password, stop=stop)
    return report.passed, report.summary()


def _take_over_records(instance: Instance, runs: RunLog) -> None:
    """Before serving: the records an older openscc kept in JSON files move into the database,
    and runs that the last stop cut off are marked so."""
    backup_history.import_legacy_file(instance.store, instance.data_dir)
    runs.import_legacy_file(instance.data_dir)
    if cut_off := runs.recover():
        logger.warning("%d scheduled backup run(s) were cut off by the last stop", cut_off)

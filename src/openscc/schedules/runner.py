"""One run of a schedule: the backup into a temporary file, shipped verified to the target,
retention applied to this schedule's archives there, the run recorded; a failure raises the
Backup alert (e-mailed by the alerting settings), counts in the metrics and is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openscc.alerts.model import SCHEDULED_BACKUP
from openscc.alerts.service import AlertService
from openscc.audit import AuditLog
from openscc.background.workers import Interrupted, StopSignal, Workers
from openscc.backup.create import create_backup
from openscc.errors import OpensccError
from openscc.faults import pause_point
from openscc.instance import Instance
from openscc.logsafe import shown
from openscc.monitoring import backup_history as history
from openscc.monitoring.metrics import Metrics
from openscc.schedules import remote, retention
from openscc.schedules.model import Schedule
from openscc.schedules.runs import (
    FAILED,
    INTERRUPTED,
    STOPPED_DURING_RUN,
    SUCCEEDED,
    Run,
    RunLog,
    now_iso,
)
from openscc.schedules.target_fields import location
from openscc.schedules.targets import archive_name, leftover_of, made_by, origin_of, target_for
from openscc.store.thread import StoreThread

logger = logging.getLogger(__name__)
# A drill restores the archive into a throwaway instance (openscc.schedules.drill): whether it
# passed, and its summary. It stops at the stop signal.
Drill = Callable[[Path, str, StopSignal], tuple[bool, str]]


@dataclass
class Runner:
    instance: Instance
    # The run log is on the store's connection: written in the store thread.
    store_thread: StoreThread
    # Runs are jobs of the runtime's workers; a stop interrupts them between their stages.
    workers: Workers
    runs: RunLog
    metrics: Metrics
    alerts: AlertService
    audit: AuditLog
    kdf_slots: threading.BoundedSemaphore
    drill: Drill | None = None
    # One run at a time, whatever asks for it (the timer, POST .../run): runs never overlap.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def describe(self, schedule: Schedule) -> str:
        return location(schedule.target)

    def new_run(self, schedule: Schedule, now: dt.datetime) -> Run:
        source = schedule.source.url if schedule.source else None
        return Run(schedule=schedule.name, startedAt=now_iso(now), target=self.describe(schedule),
                   source=source)  # fmt: skip

    def begin(self, schedule: Schedule, now: dt.datetime) -> Run:
        """From a worker thread: a new run, recorded as begun."""
        run = self.new_run(schedule, now)
        self.store_thread.call(self.runs.started, run, now)
        return run

    def run(self, schedule: Schedule, run: Run, now: dt.datetime) -> Run:
        """In a worker thread; waits for the run before it."""
        with self.lock:
            started = time.monotonic()
            try:
                self._run(schedule, run, now, self.workers.stopping)
            except Interrupted:
                run.status, run.error = INTERRUPTED, STOPPED_DURING_RUN
                self.audit.record("backup.schedule_interrupted", actor=None, schedule=schedule.name)
            # Whatever else is raised, the run ends failed (a store client's panic is not even
            # an Exception): never left "running", which would refuse every later run.
            except BaseException as error:
                self._failed(schedule, run, error)
            else:
                self._succeeded(schedule, run, time.monotonic() - started)
            run.finishedAt = now_iso(dt.datetime.now(dt.UTC))
            self.store_thread.call(self.runs.finished, run)
            return run

    def _failed(self, schedule: Schedule, run: Run, error: BaseException) -> None:
        reason = error.message if isinstance(error, OpensccError) else _described(error)
        if not isinstance(error, OpensccError):
            logger.error("scheduled backup %s failed", shown(schedule.name), exc_info=error)
        run.status, run.error = FAILED, reason[:500]
        self.metrics.backup_failed(history.BACKUP, server_error=True)
        of = f" of {schedule.source.url}" if schedule.source else ""
        self.alerts.raise_alert(
            SCHEDULED_BACKUP,
            f"The scheduled backup {schedule.name}{of} failed: {reason[:300]}",
            entity=f"schedule:{schedule.name}",
        )
        self.audit.record(
            "backup.schedule_failed", actor=None, schedule=schedule.name, reason=reason
        )

    def _succeeded(self, schedule: Schedule, run: Run, seconds: float) -> None:
        run.status = SUCCEEDED
        self.metrics.backup_done(history.BACKUP, size=run.size or 0, seconds=seconds)
        self.alerts.resolve_alert(
            SCHEDULED_BACKUP,
            f"The scheduled backup {schedule.name} succeeded again",
            entity=f"schedule:{schedule.name}",
        )
        self.audit.record(
            "backup.schedule_succeeded",
            actor=None,
            schedule=schedule.name,
            object=run.object or "",
            size=run.size or 0,
        )

    def _run(self, schedule: Schedule, run: Run, now: dt.datetime, stop: StopSignal) -> None:
        """The stages of a run, with a check for a stop between them (and between the chunks
        of an upload)."""
        folder = self.instance.layout.tmp
        folder.mkdir(mode=0o700, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="scheduled-", suffix=".zip")
        path = Path(name)
        settings = self.instance.settings

        def between_chunks() -> None:
            pause_point(settings, "target.slow_chunk")  # a slow target, in the stop tests
            stop.check()

        try:
            stop.check()
            digest = hashlib.sha256()
            with os.fdopen(fd, "w+b") as out:
                if schedule.source is None:
                    with self.kdf_slots:
                        create_backup(self.instance, schedule.password, out)
                else:  # another connector's, through its documented backup API
                    remote.fetch(schedule.source, schedule.password, out, between_chunks,
                                 timeout=settings.source_timeout_seconds,
                                 cap=settings.max_upload_bytes)  # fmt: skip
                out.flush()
                out.seek(0)
                while chunk := out.read(1024 * 1024):
                    digest.update(chunk)
            size = path.stat().st_size
            stop.check()
            if schedule.source is not None:
                with self.kdf_slots:
                    run.verification = remote.verify(path, schedule.password)
                stop.check()
            target = target_for(schedule.target, schedule.credentials)
            origin = (
                schedule.source.origin
                if schedule.source is not None
                else origin_of(self.instance.instance_id)
            )
            object_name = archive_name(schedule.name, origin, now)
            run.object = target.ship(path, object_name, size, digest.hexdigest(), between_chunks)
            run.size, run.sha256 = size, digest.hexdigest()
            stop.check()
            if schedule.drill and self.drill is not None and run.verification != remote.STRUCTURAL:
                passed, run.drill = self.drill(path, schedule.password, stop)
                stop.check()
                if not passed:
                    raise OpensccError(
                        f"the archive was shipped, but its restore drill {run.drill}"
                    )
            names = target.names()
            mine = [(n, t) for n in names
                    if (t := made_by(schedule.name, origin, n)) is not None]  # fmt: skip
            for left in (n for n in names if leftover_of(schedule.name, origin, n)):
                target.delete(left)  # a temporary file an earlier, stopped run left
            for old in retention.to_delete(mine, schedule.keep):
                stop.check()
                target.delete(old)
                run.deleted.append(old)
        except OSError as error:
            raise OpensccError(
                f"the backup could not be written: {error.strerror or error}"
            ) from None
        finally:
            path.unlink(missing_ok=True)


def _described(error: BaseException) -> str:
    """An unexpected error's own first line, without the names of Python's classes (the
    traceback is in the server log)."""
    lines = str(error).splitlines()
    first = lines[0].strip() if lines else ""
    return f"an unexpected error: {first}" if first else "an unexpected error; see the server log"

"""The runs of the schedules, newest first, and when each schedule last ran: kept in the data
directory (``backup-runs.json``) so that a restart neither forgets them nor runs a missed time
more than once."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openscc.fileio import write_atomically

RUNS_FILE = "backup-runs.json"
KEEP_RUNS = 200
RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
logger = logging.getLogger(__name__)


def now_iso(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Run:
    schedule: str
    startedAt: str
    target: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = RUNNING
    finishedAt: str | None = None
    object: str | None = None
    size: int | None = None
    sha256: str | None = None
    error: str | None = None
    deleted: list[str] = field(default_factory=list)
    drill: str | None = None


class RunLog:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / RUNS_FILE
        self._lock = threading.Lock()
        self._runs: list[dict[str, Any]] = []
        self._last: dict[str, str] = {}
        try:
            data = json.loads(self._path.read_text())
            self._runs = list(data.get("runs", []))
            self._last = dict(data.get("lastRun", {}))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError, TypeError) as error:
            logger.warning("%s cannot be read (%s); starting a new one", RUNS_FILE, error)
        for run in self._runs:  # the server stopped while these ran
            if run.get("status") == RUNNING:
                run.update(status=FAILED, error="the server stopped during the run")

    def runs(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._runs]

    def last_run(self, schedule: str) -> dt.datetime | None:
        with self._lock:
            value = self._last.get(schedule)
        return None if value is None else dt.datetime.fromisoformat(value.replace("Z", "+00:00"))

    def started(self, run: Run, at: dt.datetime) -> None:
        """A run began at ``at``: that is the schedule's last run from now on (so a run that
        fails is not repeated at once, and a restart does not repeat it)."""
        with self._lock:
            self._last[run.schedule] = now_iso(at)
            self._runs.insert(0, asdict(run))
            del self._runs[KEEP_RUNS:]
            self._save()

    def finished(self, run: Run) -> None:
        with self._lock:
            for index, entry in enumerate(self._runs):
                if entry["id"] == run.id:
                    self._runs[index] = asdict(run)
            self._save()

    def forget(self, schedule: str) -> None:
        with self._lock:
            self._last.pop(schedule, None)
            self._save()

    def _save(self) -> None:
        data = {"runs": self._runs, "lastRun": self._last}
        try:
            write_atomically(self._path, json.dumps(data, indent=1).encode())
        except OSError as error:
            logger.warning("%s cannot be written: %s", RUNS_FILE, error)

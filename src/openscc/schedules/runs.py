"""The runs of the schedules, newest first, and when each schedule last ran: kept in the database
(``backup_run``, ``schedule_last_run``; openscc.store.installation) so that a restart neither
forgets them nor runs a missed time more than once.

Every method uses the store's connection: it runs in the store thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openscc.layout import LEGACY_BACKUP_RUNS
from openscc.store.entities import EntityStore

# Until schema version 3 the runs were a JSON file, imported once (``import_legacy_file``).
KEEP_RUNS = 200
RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
# A stop of the server (SIGTERM, a restore's restart, a crash) ended it before it finished.
INTERRUPTED = "interrupted"
STOPPED_DURING_RUN = "the server stopped during the run"
logger = logging.getLogger(__name__)


def now_iso(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


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
    # A schedule of another connector: its URL, and how its archive was verified.
    source: str | None = None
    verification: str | None = None


class RunLog:
    def __init__(self, store: EntityStore) -> None:
        self._store = store

    def runs(self) -> list[dict[str, Any]]:
        rows = self._store.connection.execute(
            "SELECT body FROM backup_run ORDER BY seq DESC"
        ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def running(self, schedule: str) -> bool:
        row = self._store.connection.execute(
            "SELECT 1 FROM backup_run WHERE schedule = ? AND status = ? LIMIT 1",
            (schedule, RUNNING),
        ).fetchone()
        return row is not None

    def last_runs(self) -> dict[str, dt.datetime]:
        """When each schedule last began a run."""
        rows = self._store.connection.execute("SELECT schedule, at FROM schedule_last_run")
        return {name: _parse_iso(at) for name, at in rows}

    def started(self, run: Run, at: dt.datetime) -> None:
        """A run began at ``at``: that is the schedule's last run from now on (so a run that
        fails is not repeated at once, and a restart does not repeat it)."""
        with self._store.transaction():
            self._keep(run)
            self._store.connection.execute(
                "INSERT INTO schedule_last_run (schedule, at) VALUES (?, ?) "
                "ON CONFLICT (schedule) DO UPDATE SET at = excluded.at",
                (run.schedule, now_iso(at)),
            )
            # The log keeps the last KEEP_RUNS runs, and always each schedule's newest run and
            # newest success: a daily schedule among hourly ones keeps its last success (the
            # fleet's state and the metrics are made from it).
            self._store.connection.execute(
                "DELETE FROM backup_run WHERE seq <= (SELECT max(seq) FROM backup_run) - ? "
                "AND seq NOT IN (SELECT max(seq) FROM backup_run GROUP BY schedule) "
                "AND seq NOT IN (SELECT max(seq) FROM backup_run WHERE status = ? "
                "GROUP BY schedule)",
                (KEEP_RUNS, SUCCEEDED),
            )

    def finished(self, run: Run) -> None:
        with self._store.transaction():
            self._store.connection.execute(
                "UPDATE backup_run SET status = ?, body = ? WHERE id = ?",
                (run.status, json.dumps(asdict(run)), run.id),
            )

    def forget(self, schedule: str) -> None:
        with self._store.transaction():
            self._store.connection.execute(
                "DELETE FROM schedule_last_run WHERE schedule = ?", (schedule,)
            )

    def recover(self) -> int:
        """At start-up: runs still marked running were cut off by the server's stop (a kill, or
        a job stuck past the stop's deadline): interrupted. How many."""
        changed = 0
        with self._store.transaction():
            rows = self._store.connection.execute(
                "SELECT id, body FROM backup_run WHERE status = ?", (RUNNING,)
            ).fetchall()
            for run_id, body in rows:
                run = {**json.loads(body), "status": INTERRUPTED, "error": STOPPED_DURING_RUN}
                self._store.connection.execute(
                    "UPDATE backup_run SET status = ?, body = ? WHERE id = ?",
                    (INTERRUPTED, json.dumps(run), run_id),
                )
                changed += 1
        return changed

    def _keep(self, run: Run) -> None:
        self._store.connection.execute(
            "INSERT INTO backup_run (id, schedule, status, body) VALUES (?, ?, ?, ?)",
            (run.id, run.schedule, run.status, json.dumps(asdict(run))),
        )

    def import_legacy_file(self, data_dir: Path) -> None:
        """Move the runs of an older openscc's ``backup-runs.json`` into the database, once:
        the file is removed after the transaction that took its content committed (a crash in
        between imports it again, to the same rows)."""
        path = data_dir / LEGACY_BACKUP_RUNS
        try:
            data: Any = json.loads(path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            logger.warning("%s cannot be read (%s); its runs are dropped", path.name, error)
            data = {}
        if not isinstance(data, dict):
            logger.warning("%s is not a JSON object; its runs are dropped", path.name)
            data = {}
        runs = [r for r in data.get("runs", []) if isinstance(r, dict) and "id" in r]
        last = data.get("lastRun", {})
        with self._store.transaction():
            conn = self._store.connection
            for entry in reversed(runs):  # the file lists the newest first
                conn.execute(
                    "INSERT OR IGNORE INTO backup_run (id, schedule, status, body) "
                    "VALUES (?, ?, ?, ?)",
                    (str(entry["id"]), str(entry.get("schedule", "")),
                     str(entry.get("status", FAILED)), json.dumps(entry)),
                )  # fmt: skip
            if isinstance(last, dict):
                for schedule, at in last.items():
                    conn.execute(
                        "INSERT OR IGNORE INTO schedule_last_run (schedule, at) VALUES (?, ?)",
                        (str(schedule), str(at)),
                    )
        path.unlink()
        logger.info("the runs of %s moved into the database", path.name)

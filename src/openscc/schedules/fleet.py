"""The fleet's state: one row per schedule, naming the connector it protects (another Cloud
Connector, or this instance), with its last success, the newest archive's age and a verdict a
page can colour. Made from the schedules and the run log; pure.

The verdict, worst first: ``failing`` (the last finished run failed), ``never`` (no run has
succeeded yet), ``late`` (a run that was due after the last success has not succeeded within the
grace), ``running`` (a run is in progress, and none of the above), ``ok``. A run in progress
never hides the others: ``running`` is also a field of its own.

A schedule's runs are those of its present connector: a schedule moved to another URL (or
removed and made again for another) does not inherit the old connector's successes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openscc.monitoring.schedule_figures import THIS_INSTANCE  # the name /metrics uses too
from openscc.schedules.model import Schedule
from openscc.schedules.runs import RUNNING, SUCCEEDED, now_iso
from openscc.schedules.timing import next_time

# How long after its due time a run may take before the connector counts as late.
GRACE = dt.timedelta(hours=1)
OK, RUNNING_NOW, LATE, NEVER, FAILING = "ok", "running", "late", "never", "failing"


def _parse(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def rows(
    schedules: list[Schedule],
    runs: list[dict[str, Any]],
    last_runs: dict[str, dt.datetime],
    now: dt.datetime,
    where: Callable[[Schedule], str],
) -> list[dict[str, Any]]:
    """``runs``: the run log, newest first; ``last_runs``: when each schedule last began a run;
    ``where``: a schedule's target as the runs list names it. Sorted by connector, then
    schedule, this instance last."""
    out = [_row(s, [r for r in runs if r.get("schedule") == s.name
                    and r.get("source") == (s.source.url if s.source else None)],
                last_runs, now, where) for s in schedules]  # fmt: skip
    return sorted(out, key=lambda row: (row["connector"] == THIS_INSTANCE, row["connector"],
                                        row["schedule"]))  # fmt: skip


def _row(
    schedule: Schedule,
    mine: list[dict[str, Any]],
    last_runs: dict[str, dt.datetime],
    now: dt.datetime,
    where: Callable[[Schedule], str],
) -> dict[str, Any]:
    success = next((r for r in mine if r.get("status") == SUCCEEDED), None)
    finished = next((r for r in mine if r.get("status") != RUNNING), None)
    running = any(r.get("status") == RUNNING for r in mine)
    succeeded_at = _parse(success.get("finishedAt")) if success else None
    began = last_runs.get(schedule.name) or _parse(schedule.created_at) or now
    row: dict[str, Any] = {
        "schedule": schedule.name,
        "connector": schedule.source.url if schedule.source else THIS_INSTANCE,
        "source": schedule.source.view() if schedule.source else None,
        "cron": schedule.cron,
        "target": where(schedule),
        "lastSuccessAt": now_iso(succeeded_at) if succeeded_at else None,
        "newestArchiveAgeSeconds": int((now - succeeded_at).total_seconds())
        if succeeded_at else None,
        "lastSize": success.get("size") if success else None,
        "lastObject": success.get("object") if success else None,
        "verification": success.get("verification") if success else None,
        "lastError": finished.get("error") if finished and finished.get("status") != SUCCEEDED
        else None,
        "lastFailureAt": finished.get("finishedAt")
        if finished and finished.get("status") != SUCCEEDED else None,
        # A time missed (the server was down) runs at once: "now", not a time past.
        "nextRunAt": now_iso(max(next_time(schedule.cron, began), now)),
        "running": running,
    }  # fmt: skip
    row["state"] = _verdict(schedule, row, succeeded_at, now)
    return row


def _verdict(
    schedule: Schedule, row: dict[str, Any], succeeded_at: dt.datetime | None, now: dt.datetime
) -> str:
    if row["lastError"] is not None:
        return FAILING
    if succeeded_at is None:
        return NEVER
    if next_time(schedule.cron, succeeded_at) + GRACE < now:
        return LATE
    return RUNNING_NOW if row["running"] else OK

"""When a schedule is due: 5-field cron expressions in UTC (cronsim), and the rule for runs
missed while the server was down: one run at start-up, not one per missed time."""

from __future__ import annotations

import datetime as dt

from cronsim import CronSim, CronSimError

from openscc.errors import InvalidRequest


def check_cron(expression: str) -> str:
    """The expression if it is a valid 5-field cron expression, else InvalidRequest."""
    fields = expression.split()
    if len(fields) != 5:
        raise InvalidRequest(
            f"cron must have 5 fields (minute hour day-of-month month day-of-week), not "
            f"{len(fields)}"
        )
    try:
        CronSim(expression, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    except CronSimError as error:
        raise InvalidRequest(f"cron {expression!r} is not valid: {error}") from None
    return " ".join(fields)


def next_time(expression: str, after: dt.datetime) -> dt.datetime:
    """The first time strictly after ``after`` that the expression names (UTC)."""
    start = after.astimezone(dt.UTC).replace(second=0, microsecond=0)
    return next(CronSim(expression, start))


def is_due(expression: str, last: dt.datetime, now: dt.datetime) -> bool:
    """Whether a run is due now, given the last run (or the schedule's creation). However many
    times were missed since, it is one run."""
    return next_time(expression, last) <= now

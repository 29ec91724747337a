"""Each backup schedule's figures for /metrics, labelled by schedule and source (this instance,
or the URL of the connector it backs up): last success and failure, the last archive's size,
the last run's duration, and the newest archive's age. Made from the run log at each scrape, so
they survive restarts. Pure."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import GaugeMetricFamily

THIS_INSTANCE = "this instance"


@dataclass(frozen=True, slots=True)
class ScheduleFigures:
    schedule: str
    source: str
    last_success: float = 0.0  # epoch seconds; 0: never
    last_failure: float = 0.0
    last_size: float = 0.0
    last_duration: float = 0.0


def _when(value: Any) -> float:
    if not isinstance(value, str) or not value:
        return 0.0
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def figures(
    schedules: Iterable[tuple[str, str | None]], runs: list[dict[str, Any]]
) -> list[ScheduleFigures]:
    """``schedules``: (name, source URL or None); ``runs``: the run log, newest first."""
    out = []
    for name, source in schedules:
        mine = [r for r in runs if r.get("schedule") == name]
        success = next((r for r in mine if r.get("status") == "succeeded"), None)
        failure = next((r for r in mine if r.get("status") in ("failed", "interrupted")), None)
        out.append(ScheduleFigures(
            schedule=name,
            source=source or THIS_INSTANCE,
            last_success=_when(success.get("finishedAt")) if success else 0.0,
            last_failure=_when(failure.get("finishedAt")) if failure else 0.0,
            last_size=float(success.get("size") or 0) if success else 0.0,
            last_duration=(_when(success.get("finishedAt")) - _when(success.get("startedAt")))
            if success else 0.0,
        ))  # fmt: skip
    return out


_Read = Callable[[ScheduleFigures, float], float]
_GAUGES: tuple[tuple[str, str, _Read], ...] = (
    ("schedule_last_success_timestamp_seconds", "When the schedule's last run succeeded (0: never)",
     lambda f, now: f.last_success),
    ("schedule_last_failure_timestamp_seconds", "When the schedule's last run failed (0: never)",
     lambda f, now: f.last_failure),
    ("schedule_last_size_bytes", "Size of the schedule's last archive", lambda f, now: f.last_size),
    ("schedule_last_duration_seconds", "Duration of the schedule's last successful run",
     lambda f, now: f.last_duration),
    ("schedule_newest_archive_age_seconds",
     "Seconds since the schedule's last successful run (+Inf: none)",
     lambda f, now: now - f.last_success if f.last_success else math.inf),
)  # fmt: skip


def families(items: list[ScheduleFigures], now: float) -> Iterator[GaugeMetricFamily]:
    for suffix, help_text, read in _GAUGES:
        family = GaugeMetricFamily(f"openscc_{suffix}", help_text, labels=["schedule", "source"])
        for item in items:
            family.add_metric([item.schedule, item.source], read(item, now))
        yield family

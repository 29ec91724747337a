"""The pure parts of scheduled backups: cron expressions, the missed-run rule, retention."""

from __future__ import annotations

import datetime as dt

import pytest

from openscc.errors import InvalidRequest
from openscc.schedules.retention import Keep, to_delete
from openscc.schedules.targets import archive_name, made_by
from openscc.schedules.timing import check_cron, is_due, next_time

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "* * * *", "* * * * * *", "61 * * * *", "x * * * *"])
def test_a_cron_expression_must_have_five_valid_fields(bad: str) -> None:
    with pytest.raises(InvalidRequest):
        check_cron(bad)


def test_times_are_utc_and_strictly_after() -> None:
    assert check_cron(" 0  2 * * * ") == "0 2 * * *"
    assert next_time("0 2 * * *", at("2026-12-01T01:59:59")) == at("2026-12-01T02:00:00")
    assert next_time("0 2 * * *", at("2026-12-01T02:00:00")) == at("2026-12-02T02:00:00")
    local = dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert next_time("0 2 * * *", local) == at("2026-12-01T02:00:00")  # 01:30 UTC


def test_missed_times_make_one_due_run() -> None:
    """Down for three hours over an hourly schedule: due, and after one run (the last run now
    being now) not due again."""
    last = at("2026-12-01T08:00:00")
    now = at("2026-12-01T11:20:00")
    assert is_due("0 * * * *", last, now)
    assert not is_due("0 * * * *", now, now)
    assert not is_due("0 * * * *", at("2026-12-01T11:00:00"), at("2026-12-01T11:59:59"))


def test_archive_names_carry_their_time_and_schedule() -> None:
    name = archive_name("nightly", "0a1b2c3d", at("2026-12-01T02:00:07"))
    assert name == "openscc-nightly-0a1b2c3d-20261201T020007Z.zip"
    assert made_by("nightly", "0a1b2c3d", name) == at("2026-12-01T02:00:07")
    assert made_by("night", "0a1b2c3d", name) is None  # another schedule's
    assert made_by("nightly", "ffffffff", name) is None  # another instance's
    assert made_by("nightly", "0a1b2c3d", "notes.txt") is None
    assert made_by("nightly", "0a1b2c3d", f"{name}.partial") is None
    assert made_by("nightly", "0a1b2c3d", "openscc-nightly-20261201T020007Z.zip") is None


def _archives(days: int, per_day: int = 2) -> list[tuple[str, dt.datetime]]:
    start = at("2026-10-01T00:00:00")
    return [
        (f"a{d:03d}-{r}", start + dt.timedelta(days=d, hours=6 + 12 * r))
        for d in range(days)
        for r in range(per_day)
    ]


def test_retention_keeps_the_last_and_the_newest_of_each_day_week_and_month() -> None:
    archives = _archives(70)  # 2026-10-01 .. 2026-12-09, two a day

    deleted = to_delete(archives, Keep(last=3, daily=5, weekly=4, monthly=3))

    kept = {name for name, _ in archives} - set(deleted)
    last = {"a069-1", "a069-0", "a068-1"}
    daily = {"a069-1", "a068-1", "a067-1", "a066-1", "a065-1"}
    # ISO weeks: 2026-12-09 (day 69) is in week 50; the newest of weeks 49, 48, 47 are the
    # Sundays 12-06, 11-29 and 11-22 (days 66, 59, 52).
    weekly = {"a069-1", "a066-1", "a059-1", "a052-1"}
    monthly = {"a069-1", "a060-1", "a030-1"}  # newest of December, November, October
    assert kept == last | daily | weekly | monthly
    assert deleted == sorted(deleted, key=lambda n: dict(archives)[n])  # oldest first


def test_retention_off_keeps_everything() -> None:
    assert to_delete(_archives(5), Keep()) == []


def test_keeping_only_the_last_one() -> None:
    archives = _archives(3)
    assert to_delete(archives, Keep(last=1)) == [n for n, _ in archives][:-1]

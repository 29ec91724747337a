"""Which archives a schedule keeps: the newest ``last``, then the newest of each of the most
recent ``daily`` days, ``weekly`` ISO weeks and ``monthly`` months (as restic's forget does).
Pure: names and times in, names to delete out; only the schedule's own archives are given to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keep:
    last: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0

    @property
    def keeps_any(self) -> bool:
        return any((self.last, self.daily, self.weekly, self.monthly))


def _bucketed(
    ordered: list[tuple[str, dt.datetime]], count: int, bucket: Callable[[dt.datetime], object]
) -> set[str]:
    kept: set[str] = set()
    seen: set[object] = set()
    for name, when in ordered:
        if len(seen) >= count:
            break
        key = bucket(when)
        if key not in seen:
            seen.add(key)
            kept.add(name)
    return kept


def to_delete(archives: Iterable[tuple[str, dt.datetime]], keep: Keep) -> list[str]:
    """The archives ``keep`` does not keep, oldest first. A policy that keeps nothing deletes
    nothing (retention off)."""
    ordered = sorted(archives, key=lambda item: item[1], reverse=True)
    if not keep.keeps_any:
        return []
    kept = {name for name, _ in ordered[: keep.last]}
    kept |= _bucketed(ordered, keep.daily, lambda t: t.date())
    kept |= _bucketed(ordered, keep.weekly, lambda t: t.isocalendar()[:2])
    kept |= _bucketed(ordered, keep.monthly, lambda t: (t.year, t.month))
    return [name for name, _ in reversed(ordered) if name not in kept]

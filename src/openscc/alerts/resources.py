"""CPU and disk alerts: decisions without I/O, from readings the alert check takes.

As the product: a ``CPU`` alert when the machine's CPU load stays above ``cpuLoad`` percent for
more than ``cpuLoadViolationToleranceSec`` seconds; a ``Disk`` alert when the free space of the
data directory's disk drops below ``freeDiskSpaceMb``. Each is resolved once the condition ends.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Thresholds:
    cpu_percent: int
    cpu_tolerance_seconds: int
    free_disk_mb: int


def disk_message(free_mb: int, openscc_mb: int, threshold_mb: int) -> str | None:
    """The Disk alert's message while free space is below the threshold, else None."""
    if free_mb >= threshold_mb:
        return None
    return (
        f"Free disk space dropped below configured threshold ({threshold_mb} MB) - {free_mb} MB "
        f"are free (Currently used by Cloud Connector: {openscc_mb} MB)"
    )


class CpuWatch:
    """Remembers since when the CPU load has been above the threshold."""

    def __init__(self) -> None:
        self._above_since: float | None = None

    def observe(
        self, *, start: float, end: float, total: float, mine: float, limits: Thresholds
    ) -> str | None:
        """A reading of the load between ``start`` and ``end`` (seconds): the CPU alert's
        message if the load has now been above the threshold longer than the tolerance."""
        if total <= limits.cpu_percent:
            self._above_since = None
            return None
        if self._above_since is None:
            self._above_since = start
        if end - self._above_since <= limits.cpu_tolerance_seconds:
            return None
        return (
            f"CPU load exceeded {limits.cpu_percent} percent for more than "
            f"{limits.cpu_tolerance_seconds} seconds (Current usage all processes: {total:.0f}%, "
            f"Cloud Connector: {mine:.0f}%), check the hardware monitor for details"
        )

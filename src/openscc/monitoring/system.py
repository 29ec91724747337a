"""The machine's figures the monitoring API reports: memory, disk and CPU, from psutil.

The product runs on a JVM and reports its Java heap; openscc is a Python process with no heap of
a fixed size, so ``cloudConnectorHeapKB`` describes the process's memory against the most it may
use: the memory limit of its cgroup if it has one, else the machine's physical memory.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

_KB = 1024
_MB = 1024 * 1024
_CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")


@dataclass(frozen=True, slots=True)
class Split:
    """A resource's total, what openscc uses, what all other processes use, and what is free."""

    total: int
    openscc: int
    others: int
    free: int


def _split(total: int, openscc: int, free: int) -> Split:
    openscc = min(openscc, total)
    free = min(free, total - openscc)
    return Split(total=total, openscc=openscc, others=total - openscc - free, free=free)


def memory_limit() -> int | None:
    """The cgroup (v2) memory limit of this process, if one is set."""
    try:
        text = _CGROUP_LIMIT.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class CpuMeter:
    """CPU usage between two readings, of the machine and of this process: each reader (the
    monitoring API, the alert check) keeps a meter of its own, so one does not shorten the
    other's window. The first reading covers the time since the meter was made."""

    def __init__(self) -> None:
        self._process = psutil.Process(os.getpid())
        self._lock = threading.Lock()
        self._last = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        """(all CPU time, idle CPU time, this process's CPU time, wall time), seconds."""
        times = psutil.cpu_times()
        # Linux counts guest time inside user time too.
        everything = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
        idle = times.idle + getattr(times, "iowait", 0.0)
        mine = self._process.cpu_times()
        return everything, idle, mine.user + mine.system, time.monotonic()

    def read(self) -> tuple[float, float]:
        """(the machine's CPU usage, this process's share of all CPUs), percent."""
        with self._lock:
            now = self._sample()
            last, self._last = self._last, now
        elapsed_all = now[0] - last[0]
        busy = elapsed_all - (now[1] - last[1])
        total = 100.0 * busy / elapsed_all if elapsed_all > 0 else 0.0
        wall = (now[3] - last[3]) * (psutil.cpu_count() or 1)
        mine = 100.0 * (now[2] - last[2]) / wall if wall > 0 else 0.0
        return round(min(max(total, 0.0), 100.0), 1), round(min(max(mine, 0.0), 100.0), 1)


class SystemFigures:
    """Reads the machine's figures on demand (each call reads the system: call it in a worker)."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._process = psutil.Process(os.getpid())
        self._cpu = CpuMeter()

    def physical_memory(self) -> Split:
        """Bytes of physical memory: ``free`` is what the kernel can give without swapping."""
        machine = psutil.virtual_memory()
        return _split(machine.total, self._process.memory_info().rss, machine.available)

    def virtual_memory(self) -> Split:
        """Bytes of virtual memory (physical and swap); openscc's share is what it has resident
        or swapped out (its address space reserves far more, which is not memory in use)."""
        machine, swap = psutil.virtual_memory(), psutil.swap_memory()
        mine = self._process.memory_full_info()
        return _split(
            machine.total + swap.total, mine.rss + mine.swap, machine.available + swap.free
        )

    def process_memory(self) -> tuple[int, int]:
        """(bytes openscc has resident, the most it may use: its cgroup's limit or the machine's
        physical memory)."""
        machine = psutil.virtual_memory().total
        limit = memory_limit()
        return self._process.memory_info().rss, min(limit, machine) if limit else machine

    def disk(self) -> Split:
        """Bytes of the data directory's file system; openscc's share is its data directory."""
        usage = psutil.disk_usage(str(self._data_dir))
        return _split(usage.total, directory_size(self._data_dir), usage.free)

    def cpu(self) -> tuple[float, float]:
        """(the machine's CPU usage, openscc's share of all CPUs), percent, since the last
        reading."""
        return self._cpu.read()


def directory_size(folder: Path) -> int:
    """Bytes the files below ``folder`` take (those it can read)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue  # removed while walking
    return total


def kb(value: int) -> int:
    return value // _KB


def mb(value: int) -> int:
    return value // _MB

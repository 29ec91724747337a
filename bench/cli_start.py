"""How long ``openscc`` takes to start: the import time of ``--help`` and ``backup inspect`` (what
``python -X importtime`` reports for the command's modules) and the wall time of the process,
medians of a few runs. Scripts and fleets call the command hundreds of times."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StartTime:
    command: str
    import_ms: float  # median, top-level imports summed
    wall_ms: float  # median, the whole process


def _import_ms(stderr: str) -> float:
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith(
            "  "
        ):  # a top-level import: its figure includes what it imported
            total += int(cumulative)
    return total / 1000


def measure(args: list[str], runs: int) -> StartTime:
    imports, walls = [], []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "openscc", *args],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        walls.append((time.perf_counter() - started) * 1000)
        imports.append(_import_ms(done.stderr))
    return StartTime(
        " ".join(["openscc", *args]), statistics.median(imports), statistics.median(walls)
    )


def run_cli_start(archive: Path, runs: int = 5) -> list[StartTime]:
    return [measure(["--help"], runs), measure(["backup", "inspect", str(archive)], runs)]

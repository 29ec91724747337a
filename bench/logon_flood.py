"""Parallel bad logons against a real server: the server's memory and answers while they run.

Each logon has a made-up user name, so the lockout never cuts the flood short and every request
wants its own Argon2 check (64 MiB with the production profile). The server bounds how many run at
once (``password_check_slots``) and answers ``503`` to those that wait too long, so its memory
stays bounded whatever the number of parallel logons.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.procs import MemorySampler


@dataclass(frozen=True, slots=True)
class FloodFigures:
    logons: int
    statuses: dict[int, int]
    seconds: float
    baseline_mib: float
    peak_growth_mib: float


async def _flood(url: str, cafile: Path, logons: int) -> Counter[int]:
    context = ssl.create_default_context(cafile=str(cafile))
    limits = httpx.Limits(max_connections=logons, max_keepalive_connections=0)
    async with httpx.AsyncClient(verify=context, limits=limits, timeout=60) as client:
        answers = await asyncio.gather(
            *(
                client.get(
                    f"{url}/api/v1/configuration/connector",
                    auth=(f"made-up-user-{n:04d}", f"wrong-password-{n:04d}"),
                )
                for n in range(logons)
            )
        )
    return Counter(answer.status_code for answer in answers)


def flood(url: str, cafile: Path, pid: int, *, logons: int = 200) -> FloodFigures:
    """Send ``logons`` bad logons at once to the server at ``url`` (process ``pid``)."""
    with MemorySampler(pid) as memory:
        started = time.perf_counter()
        statuses = asyncio.run(_flood(url, cafile, logons))
        seconds = time.perf_counter() - started
    return FloodFigures(
        logons=logons,
        statuses=dict(sorted(statuses.items())),
        seconds=seconds,
        baseline_mib=memory.baseline_kib / 1024,
        peak_growth_mib=memory.growth_mib,
    )

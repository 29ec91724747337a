"""Parallel bad logons against a real server: the server's memory and answers while they run.

Each logon has a made-up user name, so the lockout never cuts the flood short and every request
wants its own Argon2 check (64 MiB with the production profile). The server bounds how many run at
once (``password_check_slots``) and answers ``503`` to those that wait too long, so its memory
stays bounded whatever the number of parallel logons.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.procs import LOOPBACK, MemorySampler, free_port, openscc_server, wait_https


@dataclass(frozen=True, slots=True)
class FloodFigures:
    logons: int
    kdf_profile: str
    statuses: dict[int, int]
    seconds: float
    baseline_mib: float
    peak_growth_mib: float


# The logons come from this many client addresses (127.0.0.1, .2, ...): the server's edge allows
# each address max_connections_per_address connections (100 by default).
CLIENT_ADDRESSES = 4


async def _flood(url: str, cafile: Path, logons: int) -> Counter[int]:
    context = ssl.create_default_context(cafile=str(cafile))
    limits = httpx.Limits(max_connections=logons, max_keepalive_connections=0)
    clients = [
        httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(
                verify=context, limits=limits, local_address=f"127.0.0.{1 + n}"
            ),
            timeout=60,
        )
        for n in range(CLIENT_ADDRESSES)
    ]
    try:
        answers = await asyncio.gather(
            *(
                clients[n % CLIENT_ADDRESSES].get(
                    f"{url}/api/v1/configuration/connector",
                    auth=(f"made-up-user-{n:04d}", f"wrong-password-{n:04d}"),
                )
                for n in range(logons)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    return Counter(answer.status_code for answer in answers)


def flood(
    url: str, cafile: Path, pid: int, *, logons: int = 200, kdf_profile: str = "production"
) -> FloodFigures:
    """Send ``logons`` bad logons at once to the server at ``url`` (process ``pid``)."""
    with MemorySampler(pid) as memory:
        started = time.perf_counter()
        statuses = asyncio.run(_flood(url, cafile, logons))
        seconds = time.perf_counter() - started
    return FloodFigures(
        logons=logons,
        kdf_profile=kdf_profile,
        statuses=dict(sorted(statuses.items())),
        seconds=seconds,
        baseline_mib=memory.baseline_kib / 1024,
        peak_growth_mib=memory.growth_mib,
    )


def run_logon_flood(
    work: Path, *, logons: int = 200, kdf_profile: str = "production"
) -> FloodFigures:
    """Start ``openscc serve`` on a fresh data directory and flood it."""
    data_dir = work / "flood-data"
    port = free_port()
    server = openscc_server(
        data_dir, port, kdf_profile=kdf_profile, log_path=work / "flood-server.log"
    )
    server.env = {**(server.env or os.environ), "OPENSCC_ADMIN_PASSWORD": "Flood-admin-pa55"}
    url = f"https://{LOOPBACK}:{port}"
    with server.start():
        wait_https(server, url + "/api/v1/connector/version")
        return flood(
            url,
            data_dir / "tls" / "ui-certificate.pem",
            server.pid,
            logons=logons,
            kdf_profile=kdf_profile,
        )

"""A manager backing up a fleet: one `openscc serve` with a schedule per source backs up N other
`openscc serve` processes of R resources each through the seed's documented API, into one
folder, every archive verified completely; then one source ten times larger. Measured: the
wall time from the first run's start until the last has ended, and the manager's memory
(its RSS sampled, and the kernel's high-water mark) over the runs. Streaming shows as a peak that
does not grow with the number of sources or with an archive's size.
"""

from __future__ import annotations

import shutil
import ssl
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.data import ADMIN_PASSWORD, build_data_dir, shape_for
from bench.procs import MemorySampler, Process, free_port, openscc_server, wait_https

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"
BACKUP_PASSWORD = "bench-Fleet-backup-1"  # loopback only


@dataclass(frozen=True, slots=True)
class FleetPass:
    sources: int
    resources: int  # per source
    seconds: float  # first run started -> last run ended
    archive_mb: float  # median archive size
    baseline_mib: float
    peak_growth_mib: float
    verification: str

    def __str__(self) -> str:
        return (
            f"{self.sources} sources x {self.resources:,} resources: {self.seconds:.1f}s "
            f"({self.seconds / self.sources:.2f}s each), archives {self.archive_mb:.2f} MB, "
            f"manager {self.baseline_mib:.0f} MiB + peak growth {self.peak_growth_mib:.0f} MiB"
        )


def _start(data_dir: Path, log: Path) -> tuple[Process, str]:
    port = free_port()
    process = openscc_server(data_dir, port, kdf_profile="test", log_path=log)
    assert process.env is not None
    process.env.update({"OPENSCC_ADMIN_PASSWORD": ADMIN_PASSWORD, "OPENSCC_HA_ROLE": "master"})
    process.start()
    url = f"https://127.0.0.1:{port}"
    wait_https(process, f"{url}/api/v1/connector/version")
    return process, url


def _client(url: str, data_dir: Path) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(data_dir / "tls" / "ui-certificate.pem"))
    return httpx.Client(base_url=url, verify=context, auth=("Administrator", ADMIN_PASSWORD),
                        timeout=600)  # fmt: skip


def _sources(work: Path, count: int, resources: int, label: str) -> list[tuple[Process, str, Path]]:
    template = work / f"fleet-{label}-template"
    build_data_dir(template, shape_for(resources), kdf_profile="test")
    started = []
    for n in range(count):
        data_dir = work / f"fleet-{label}-{n:02d}"
        shutil.copytree(template, data_dir)
        process, url = _start(data_dir, work / f"fleet-{label}-{n:02d}.log")
        started.append((process, url, data_dir))
    shutil.rmtree(template)
    return started


def _pass(
    manager: httpx.Client, pid: int, sources: list[tuple[Process, str, Path]], folder: Path,
    resources: int, label: str,
) -> FleetPass:  # fmt: skip
    names = []
    for n, (_process, url, data_dir) in enumerate(sources):
        name = f"{label}-{n:02d}"
        source = {"type": "connector", "url": url, "user": "Administrator",
                  "password": ADMIN_PASSWORD,
                  "certificate": (data_dir / "tls" / "ui-certificate.pem").read_text()}  # fmt: skip
        body = {"name": name, "cron": "0 3 1 1 *", "password": BACKUP_PASSWORD,
                "target": {"type": "directory", "path": str(folder)}, "keep": {"last": 2},
                "source": source}  # fmt: skip
        answer = manager.post(SCHEDULES, json=body)
        if answer.status_code != 201:
            raise RuntimeError(f"adding {name}: {answer.status_code} {answer.text}")
        names.append(name)
    with MemorySampler(pid) as memory:
        started = time.perf_counter()
        ids = {manager.post(f"{SCHEDULES}/{name}/run").json()["id"] for name in names}
        runs = _until_finished(manager, ids)
        seconds = time.perf_counter() - started
    failed = [r for r in runs if r["status"] != "succeeded"]
    if failed:
        raise RuntimeError(f"{len(failed)} runs failed, e.g. {failed[0].get('error')}")
    return FleetPass(
        sources=len(sources),
        resources=resources,
        seconds=seconds,
        archive_mb=statistics.median(r["size"] for r in runs) / 1_000_000,
        baseline_mib=memory.baseline_kib / 1024,
        peak_growth_mib=memory.growth_mib,
        verification=str(runs[0].get("verification", "")).split(":")[0],
    )


def _until_finished(manager: httpx.Client, ids: set[str]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        runs = [r for r in manager.get(RUNS).json() if r["id"] in ids]
        if len(runs) == len(ids) and all(r["status"] != "running" for r in runs):
            return runs
        time.sleep(0.1)
    raise RuntimeError("the fleet's runs did not end within an hour")


def run_fleet(work: Path, *, sources: int = 20, resources: int = 10_000) -> list[FleetPass]:
    """The fleet twice (the second pass shows whether anything stays behind per source), then
    one source of ten times the resources (the archive's size)."""
    manager_dir = work / "fleet-manager"
    folder = work / "fleet-archives"
    folder.mkdir(parents=True)
    manager, url = _start(manager_dir, work / "fleet-manager.log")
    started: list[tuple[Process, str, Path]] = []
    try:
        with _client(url, manager_dir) as client:
            started = _sources(work, sources, resources, "small")
            # Twice: the second pass shows whether anything stays behind per source.
            passes = [_pass(client, manager.pid, started, folder, resources, label)
                      for label in ("first", "again")]  # fmt: skip
            for process, _url, _dir in started:
                process.stop()
            started = _sources(work, 1, resources * 10, "large")
            passes.append(_pass(client, manager.pid, started, folder, resources * 10, "large"))
    finally:
        for process, _url, _dir in started:
            process.stop()
        manager.stop()
    return passes


def section(passes: list[FleetPass]) -> list[str]:
    out = ["## 10. Fleet backups: one manager, many connectors", ""]
    if not passes:
        return [*out, "Not run."]
    return [
        *out,
        "One `openscc serve` (the manager) backs up other `openscc serve` processes on loopback "
        "through `POST /api/v1/configuration/backup`, one schedule per source, runs one after "
        "the other, each archive streamed to a folder in 1 MiB chunks and verified completely "
        "(manifest, MAC, every record) before retention (bench/fleet.py). Time: from the first "
        "run's start to the last run's end. Memory: the manager's RSS before the runs, and its "
        "peak growth over them (sampled, and the kernel's high-water mark). The archives' KDF "
        "is the test profile; the production KDF adds its 64 MiB per verification, at most two "
        "at a time. The fleet is backed up twice: the second pass starts from the first's peak "
        "(Python keeps memory it once used), and its growth is what each source leaves behind.",
        "",
        "| sources | resources each | archive | time | per source | manager RSS | peak growth | verification |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
        *(f"| {p.sources} | {p.resources:,} | {p.archive_mb:.2f} MB | {p.seconds:.1f}s "
          f"| {p.seconds / p.sources:.2f}s | {p.baseline_mib:.0f} MiB | {p.peak_growth_mib:.0f} MiB "
          f"| {p.verification} |" for p in passes),
    ]  # fmt: skip

"""Backup and restore of a real ``openscc serve`` holding a configuration of a given size."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.data import ADMIN_PASSWORD, Shape, build_data_dir
from bench.procs import (
    LOOPBACK,
    READY_PATH,
    MemorySampler,
    cpu_seconds,
    free_port,
    openscc_server,
    status_kib,
    wait_https,
)

BACKUP_PATH = "/api/v1/configuration/backup"
BACKUP_PASSWORD = "bench-backup-password"
AUTH = ("Administrator", ADMIN_PASSWORD)


@dataclass
class ScaleResult:
    shape: Shape
    entities: int
    backup_s: list[float] = field(default_factory=list)
    restore_s: list[float] = field(default_factory=list)
    # CPU seconds the server process spent during each operation: less disturbed by other load.
    backup_cpu_s: list[float] = field(default_factory=list)
    restore_cpu_s: list[float] = field(default_factory=list)
    restart_s: list[float] = field(default_factory=list)
    archive_bytes: int = 0
    idle_start_mib: float = 0.0  # RSS of the freshly started server, before any operation
    backup_base_mib: list[float] = field(default_factory=list)
    backup_peak_mib: list[float] = field(default_factory=list)
    restore_base_mib: list[float] = field(default_factory=list)
    restore_peak_mib: list[float] = field(default_factory=list)
    hwm_reset: bool = True

    @staticmethod
    def _median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    @property
    def backup(self) -> float:
        return self._median(self.backup_s)

    @property
    def restore(self) -> float:
        return self._median(self.restore_s)

    @property
    def backup_cpu(self) -> float:
        return self._median(self.backup_cpu_s)

    @property
    def restore_cpu(self) -> float:
        return self._median(self.restore_cpu_s)

    @property
    def restart(self) -> float:
        return self._median(self.restart_s)

    @property
    def backup_growth_mib(self) -> float:
        return max(p - b for p, b in zip(self.backup_peak_mib, self.backup_base_mib, strict=True))

    @property
    def restore_growth_mib(self) -> float:
        return max(p - b for p, b in zip(self.restore_peak_mib, self.restore_base_mib, strict=True))


def _backup(client: httpx.Client, url: str, dst: Path) -> float:
    start = time.perf_counter()
    with client.stream("POST", url + BACKUP_PATH, json={"password": BACKUP_PASSWORD}) as response:
        if response.status_code != 200:
            response.read()
            raise RuntimeError(f"backup answered {response.status_code}: {response.text[:300]}")
        with dst.open("wb") as out:
            for chunk in response.iter_bytes(256 * 1024):
                out.write(chunk)
    return time.perf_counter() - start


def _restore(client: httpx.Client, url: str, archive: Path) -> float:
    start = time.perf_counter()
    with archive.open("rb") as upload:
        response = client.put(
            url + BACKUP_PATH,
            files={"backup": ("backup.zip", upload, "application/zip")},
            data={"password": BACKUP_PASSWORD},
        )
    elapsed = time.perf_counter() - start
    if response.status_code != 204:
        raise RuntimeError(f"restore answered {response.status_code}: {response.text[:300]}")
    return elapsed


def run_scale(
    shape: Shape,
    runs: int,
    work: Path,
    *,
    kdf_profile: str,
    log=print,  # type: ignore[no-untyped-def]
) -> ScaleResult:
    """Build the data directory, start the server, then ``runs`` times: back up, restore that
    backup (the server restarts), wait until it answers again."""
    data_dir = work / f"data-{shape.resources}"
    start = time.perf_counter()
    entities = build_data_dir(data_dir, shape, kdf_profile=kdf_profile)
    log(f"  built {entities} entities in {time.perf_counter() - start:.1f}s")
    result = ScaleResult(shape=shape, entities=entities)
    port = free_port()
    url = f"https://{LOOPBACK}:{port}"
    server = openscc_server(
        data_dir, port, kdf_profile=kdf_profile, log_path=work / f"server-{shape.resources}.log"
    )
    archive = work / f"backup-{shape.resources}.zip"
    with server.start(), httpx.Client(verify=False, auth=AUTH, timeout=600) as client:
        wait_https(server, url + READY_PATH)
        client.get(url + READY_PATH).raise_for_status()  # warms the credential cache
        time.sleep(0.3)
        result.idle_start_mib = status_kib(server.pid, "VmRSS") / 1024
        for run in range(runs):
            cpu = cpu_seconds(server.pid)
            with MemorySampler(server.pid) as memory:
                result.backup_s.append(_backup(client, url, archive))
            result.backup_cpu_s.append(cpu_seconds(server.pid) - cpu)
            result.hwm_reset &= memory.hwm_reset
            result.backup_base_mib.append(memory.baseline_kib / 1024)
            result.backup_peak_mib.append(memory.peak_kib / 1024)
            result.archive_bytes = archive.stat().st_size
            cpu = cpu_seconds(server.pid)
            with MemorySampler(server.pid) as memory:
                result.restore_s.append(_restore(client, url, archive))
            result.restore_cpu_s.append(cpu_seconds(server.pid) - cpu)
            result.hwm_reset &= memory.hwm_reset
            result.restore_base_mib.append(memory.baseline_kib / 1024)
            result.restore_peak_mib.append(memory.peak_kib / 1024)
            restarted = time.perf_counter()
            # The old listener may still answer for a moment: wait for the restarted one.
            _wait_restarted(client, url)
            result.restart_s.append(time.perf_counter() - restarted)
            log(
                f"  run {run + 1}/{runs}: backup {result.backup_s[-1]:.3f}s "
                f"restore {result.restore_s[-1]:.3f}s restart {result.restart_s[-1]:.3f}s "
                f"archive {result.archive_bytes / 1e6:.2f} MB"
            )
    return result


def _wait_restarted(client: httpx.Client, url: str, timeout: float = 120.0) -> None:
    """Until a changing request is accepted again (refused with 409 while a restore is pending)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            response = client.get(url + "/api/v1/configuration/connector")
            # A new process has no pending restore; the old one still answers reads, so probe a
            # write-guarded path cheaply: the connector PUT is refused (409) until the restart.
            probe = client.put(
                url + "/api/v1/configuration/connector",
                json={"description": response.json().get("description", "")},
            )
            if probe.status_code == 200:
                return
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.01)
    raise RuntimeError("the server did not come back after the restore")

"""The event loop under heavy work: how long a trivial request waits while other work runs.

A real server on loopback holds 100,000 resources. One client asks ``GET
/api/v1/connector/version`` over and over (a keep-alive connection, basic auth the server has
cached) and times each answer, while other clients make the server do heavy work:

- ``idle``: nothing else;
- ``keys``: 4,096-bit system certificates generated one after another (RSA key generation);
- ``backup``: a backup of the whole configuration;
- ``restore``: a restore of that backup, until its ``204`` (the restart after it is not timed).

Nothing of that work runs on the event loop (the store thread, the workers), so the probe's
latency should stay low; ``p99`` is the figure that shows it.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.data import ADMIN_PASSWORD, build_data_dir, shape_for
from bench.procs import LOOPBACK, READY_PATH, free_port, openscc_server, wait_https

SYSTEM_CERTIFICATE = "/api/v1/configuration/connector/onPremise/systemCertificate"
BACKUP_PATH = "/api/v1/configuration/backup"
BACKUP_PASSWORD = "Loop-latency-pa55"
AUTH = ("Administrator", ADMIN_PASSWORD)
PHASES = ("idle", "keys", "backup", "restore")
MIN_BACKUP_SECONDS = 1.0


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    work: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    @property
    def worst(self) -> float:
        return max(self.latencies_ms, default=float("nan"))


@dataclass
class LoopLatency:
    resources: int
    phases: list[Phase]


class _Probe:
    """Times ``GET version`` in a thread until stopped; ``during(start, end)`` hands over the
    probes that started in that window, the one still in flight at its end included."""

    def __init__(self, url: str) -> None:
        self._url = url + READY_PATH
        self._lock = threading.Lock()
        self._probes: list[tuple[float, float]] = []  # (started at, latency in ms)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(verify=False, auth=AUTH, timeout=30) as client:
            while not self._stop.is_set():
                start = time.perf_counter()
                response = client.get(self._url)
                elapsed = (time.perf_counter() - start) * 1000
                with self._lock:
                    # A failed probe still marks time passing; only answers are measured.
                    self._probes.append((start, elapsed if response.status_code == 200 else -1))
                time.sleep(0.005)

    def during(self, start: float, end: float) -> list[float]:
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            with self._lock:
                if self._probes and self._probes[-1][0] >= end:
                    break
            time.sleep(0.002)
        with self._lock:
            taken = [ms for began, ms in self._probes if start <= began <= end and ms >= 0]
            self._probes = [p for p in self._probes if p[0] > end]
        return taken


def _timed(phase: Phase, probe: _Probe, work: Callable[[], None]) -> None:
    start = time.perf_counter()
    work()
    end = time.perf_counter()
    phase.seconds = end - start
    phase.latencies_ms = probe.during(start, end)


def run_loop_latency(
    work: Path, *, resources: int = 100_000, key_seconds: float = 4.0
) -> LoopLatency:
    data_dir = work / "loop-latency-data"
    build_data_dir(data_dir, shape_for(resources), kdf_profile="test")
    port = free_port()
    url = f"https://{LOOPBACK}:{port}"
    server = openscc_server(
        data_dir, port, kdf_profile="test", log_path=work / "loop-latency-server.log"
    )
    phases = {name: Phase(name) for name in PHASES}
    archive = work / "loop-latency-backup.zip"
    with server.start(), httpx.Client(verify=False, auth=AUTH, timeout=600) as client:
        wait_https(server, url + READY_PATH)
        client.get(url + READY_PATH).raise_for_status()

        def idle() -> None:
            time.sleep(2.0)

        def keys() -> None:
            made = 0
            deadline = time.perf_counter() + key_seconds
            while time.perf_counter() < deadline:
                answer = client.post(
                    url + SYSTEM_CERTIFICATE,
                    json={"type": "selfsigned", "subjectDN": "CN=loop", "keySize": 4096},
                )
                answer.raise_for_status()
                made += 1
            phases["keys"].work = f"{made} keys of 4,096 bits"

        def backup() -> None:
            # Backups one after another for at least a second, so that a small configuration's
            # quick backup is still probed (at full scale one backup takes longer).
            made = 0
            deadline = time.perf_counter() + MIN_BACKUP_SECONDS
            while made == 0 or time.perf_counter() < deadline:
                with client.stream(
                    "POST", url + BACKUP_PATH, json={"password": BACKUP_PASSWORD}
                ) as r:
                    r.raise_for_status()
                    with archive.open("wb") as out:
                        for chunk in r.iter_bytes(256 * 1024):
                            out.write(chunk)
                made += 1
            size = f"{archive.stat().st_size / 1e6:.1f} MB archive"
            phases["backup"].work = size if made == 1 else f"{made} backups of a {size}"

        def restore() -> None:
            with archive.open("rb") as upload:
                answer = client.put(
                    url + BACKUP_PATH,
                    files={"backup": ("backup.zip", upload, "application/zip")},
                    data={"password": BACKUP_PASSWORD},
                )
            if answer.status_code != 204:
                raise RuntimeError(f"restore answered {answer.status_code}: {answer.text[:200]}")
            phases["restore"].work = "until the 204"

        with _Probe(url) as probe:
            for name, work_of in (
                ("idle", idle),
                ("keys", keys),
                ("backup", backup),
                ("restore", restore),
            ):
                _timed(phases[name], probe, work_of)
    return LoopLatency(resources=resources, phases=[phases[name] for name in PHASES])


if __name__ == "__main__":
    import tempfile

    result = run_loop_latency(Path(tempfile.mkdtemp(prefix="openscc-loop-")))
    for phase in result.phases:
        print(
            f"{phase.name:8} {phase.seconds:6.2f}s {len(phase.latencies_ms):5} probes "
            f"p50 {phase.p50:6.2f} ms p99 {phase.p99:6.2f} ms max {phase.worst:7.2f} ms {phase.work}"
        )

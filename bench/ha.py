"""A master and a shadow as real processes on loopback: the initial sync of a large configuration,
the replication lag of single changes, and the failover time after ``kill -9`` of the master.

The lag of a change is the time from the master's answer to the write until the shadow serves
the change (polled every 2 ms); each change is made after the previous one arrived, so the
figure is the latency of one change, not a queue's. The shadow checks every second and takes
over after 3 s: the failover should take the takeover delay plus up to one check interval.
"""

from __future__ import annotations

import os
import signal
import ssl
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.data import ADMIN_PASSWORD, build_data_dir, shape_for
from bench.procs import Process, free_port, openscc_server, wait_https

HA = "/api/v1/configuration/connector/ha"
CONFIG = "/api/v1/configuration"
REGION = "cf.eu10.hana.ondemand.com"
SHADOW_PASSWORD = "bench-Shadow-1"  # loopback only
CHECK_INTERVAL_S = 1
TAKEOVER_DELAY_S = 3


@dataclass(frozen=True, slots=True)
class HaFigures:
    resources: int
    sync_s: float
    lags_ms: list[float]
    failover_s: float
    check_interval_s: int = CHECK_INTERVAL_S
    takeover_delay_s: int = TAKEOVER_DELAY_S

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.lags_ms)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.lags_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def __str__(self) -> str:
        return (
            f"initial sync of {self.resources:,} resources {self.sync_s:.1f}s; lag of "
            f"{len(self.lags_ms)} changes p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms; "
            f"failover {self.failover_s:.1f}s (delay {self.takeover_delay_s}s + check "
            f"{self.check_interval_s}s)"
        )


class _Node:
    def __init__(self, process: Process, data_dir: Path, port: int, password: str) -> None:
        self.process = process
        self.url = f"https://127.0.0.1:{port}"
        self.certificate = data_dir / "tls" / "ui-certificate.pem"
        self.password = password
        self._http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.url,
                verify=ssl.create_default_context(cafile=str(self.certificate)),
                auth=("Administrator", self.password),
                timeout=30,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        self.process.stop()


def _start(data_dir: Path, log: Path, *, password: str, role: str) -> _Node:
    port = free_port()
    process = openscc_server(data_dir, port, kdf_profile="test", log_path=log)
    assert process.env is not None
    process.env.update({"OPENSCC_ADMIN_PASSWORD": password, "OPENSCC_HA_ROLE": role})
    process.start()
    wait_https(process, f"https://127.0.0.1:{port}/api/v1/connector/version")
    return _Node(process, data_dir, port, password)


def _until(check: Callable[[], bool], timeout: float, what: str, pause: float = 0.002) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if check():
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(pause)
    raise RuntimeError(f"{what} did not happen within {timeout}s")


def _visible(node: _Node, path: str) -> float:
    """Seconds until ``path`` answers 200 on ``node``."""
    return _until(lambda: node.http.get(path).status_code == 200, 30, f"{path} on the shadow")


def _expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")


def run_ha(work: Path, *, resources: int = 10_000, changes: int = 200) -> HaFigures:
    master_dir, shadow_dir = work / "ha-master", work / "ha-shadow"
    build_data_dir(master_dir, shape_for(resources), kdf_profile="test")
    master = _start(master_dir, work / "ha-master.log", password=ADMIN_PASSWORD, role="master")
    shadow = _start(shadow_dir, work / "ha-shadow.log", password=SHADOW_PASSWORD, role="shadow")
    try:
        _expect(master.http.put(f"{HA}/master/config", json={"haEnabled": True}), 204)
        settings = {
            "masterHost": "127.0.0.1",
            "masterPort": master.url.rsplit(":", 1)[1],
            "ownHost": "127.0.0.1",
            "checkIntervalInSeconds": CHECK_INTERVAL_S,
            "takeoverDelayInSeconds": TAKEOVER_DELAY_S,
            "connectTimeoutInMillis": 500,
            "requestTimeoutInMillis": 3000,
        }
        _expect(shadow.http.put(f"{HA}/shadow/config", json=settings), 200)
        started = time.perf_counter()
        connect = {
            "op": "CONNECT",
            "user": "Administrator",
            "password": master.password,
            "masterCertificate": master.certificate.read_text(),
        }
        _expect(shadow.http.post(f"{HA}/shadow/state", json=connect), 204)
        _until(
            lambda: shadow.http.get(f"{HA}/shadow/state").json()["state"] == "READY",
            timeout=600,
            what="the initial sync",
            pause=0.05,
        )
        sync_s = time.perf_counter() - started

        lags = []
        for n in range(changes):
            name = f"lag-{n:05d}"
            body = {
                "regionHost": REGION,
                "subaccount": name,
                "cloudUser": "u",
                "cloudPassword": "p",
            }
            _expect(master.http.post(f"{CONFIG}/subaccounts", json=body), 201)
            lags.append(_visible(shadow, f"{CONFIG}/subaccounts/{REGION}/{name}") * 1000)

        assert master.process.process is not None
        os.kill(master.process.pid, signal.SIGKILL)
        master.process.process.wait()
        killed = time.perf_counter()
        _until(
            lambda: shadow.http.get(f"{CONFIG}/connector/haRole").json() == "master",
            timeout=60,
            what="the takeover",
            pause=0.01,
        )
        failover_s = time.perf_counter() - killed
    finally:
        shadow.close()
        master.close()
    return HaFigures(resources=resources, sync_s=sync_s, lags_ms=lags, failover_s=failover_s)

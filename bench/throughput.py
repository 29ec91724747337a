"""API throughput: openscc (basic auth, session cookie) against a bare app on the same stack.

Both servers are one uvicorn process with the same options and certificate (bench/bare_app.py).
Load: 16 keep-alive HTTPS connections for a bounded time per run, by ``wrk`` where installed (one
thread: C, a small share of a core) or else by bench/load.py in two processes of 8 connections.
Runs of the three modes are interleaved round by round, so drifts of a noisy machine hit all
three alike; figures are medians over the rounds. The server process's CPU use during each run is
reported too: a server near 100% of a core is the bottleneck, not the load generator.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.data import ADMIN_PASSWORD, Shape, build_data_dir, settings_for
from bench.procs import (
    LOOPBACK,
    READY_PATH,
    Process,
    bench_env,
    cpu_seconds,
    free_port,
    openscc_server,
    wait_https,
)
from openscc.instance import open_instance
from openscc.server import write_tls_files

CONNECTIONS = 16
MAPPINGS = 1000
MODES = ("bare", "basic", "session")
ENDPOINTS = ("version", "mappings")


@dataclass
class LoadRun:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non2xx: int
    server_cpu: float  # share of one core the server process used during the run


@dataclass
class Cell:
    runs: list[LoadRun] = field(default_factory=list)

    def _median(self, name: str) -> float:
        return statistics.median(getattr(r, name) for r in self.runs)

    @property
    def rps(self) -> float:
        return self._median("rps")

    @property
    def p50_ms(self) -> float:
        return self._median("p50_ms")

    @property
    def p99_ms(self) -> float:
        return self._median("p99_ms")

    @property
    def server_cpu(self) -> float:
        return self._median("server_cpu")

    @property
    def non2xx(self) -> int:
        return sum(r.non2xx for r in self.runs)


@dataclass
class ThroughputResult:
    generator: str
    seconds: float
    rounds: int
    cells: dict[tuple[str, str], Cell]
    mappings_bytes: int

    def ratio(self, endpoint: str, mode: str) -> float:
        bare = self.cells[(endpoint, "bare")].rps
        return self.cells[(endpoint, mode)].rps / bare if bare else float("nan")


def _percentile(sorted_values: list[int], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index] / 1000


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def _run_wrk(url: str, seconds: float, headers: list[str]) -> tuple[float, float, float, int, int]:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    args += ["--timeout", "10s"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> tuple[float, float, float, int, int]:
    """req/s, p50 and p99 (ms), requests, and non-2xx answers plus timeouts, from wrk --latency."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    non2xx = (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0)
    return rps, p50, p99, requests, non2xx


def _run_python(
    url: str, seconds: float, headers: list[str]
) -> tuple[float, float, float, int, int]:
    processes = 2
    per_process = CONNECTIONS // processes
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.load", url, str(seconds), str(per_process), *headers],
            stdout=subprocess.PIPE,
            env=bench_env(),
        )
        for _ in range(processes)
    ]
    results = [json.loads(child.communicate()[0]) for child in children]
    latencies = sorted(v for r in results for v in r["latencies_us"])
    requests = sum(r["requests"] for r in results)
    elapsed = max(r["elapsed"] for r in results)
    non2xx = sum(r["non2xx"] + r["errors"] for r in results)
    return (
        requests / elapsed,
        _percentile(latencies, 0.50),
        _percentile(latencies, 0.99),
        requests,
        non2xx,
    )


class _Session:
    """Sessions of the Administrator, started with one basic-auth request each."""

    def __init__(self, url: str, basic: str) -> None:
        self.url = url
        self.basic = basic

    def start(self) -> str:
        with httpx.Client(verify=False, timeout=60) as client:
            answer = client.get(self.url + READY_PATH, headers={"Authorization": self.basic})
            answer.raise_for_status()
            return f"Cookie: JSESSIONID={answer.cookies['JSESSIONID']}"


def _check_answer(url: str, headers: list[str]) -> None:
    pairs = dict(header.split(": ", 1) for header in headers)
    with httpx.Client(verify=False, timeout=60) as client:
        answer = client.get(url, headers=pairs)
    if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith(
        "application/json"
    ):
        raise RuntimeError(
            f"{url} answered {answer.status_code} {answer.headers.get('content-type')} after the "
            "run, not the JSON: the figures of this run are not of the endpoint"
        )


def _measure(generator: str, pid: int, url: str, seconds: float, headers: list[str]) -> LoadRun:
    cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
    run = _run_wrk if generator == "wrk" else _run_python
    rps, p50, p99, requests, non2xx = run(url, seconds, headers)
    cpu = (cpu_seconds(pid) - cpu_before) / (time.perf_counter() - wall_before)
    return LoadRun(
        rps=rps, p50_ms=p50, p99_ms=p99, requests=requests, non2xx=non2xx, server_cpu=cpu
    )


def run_throughput(
    work: Path,
    *,
    seconds: float,
    rounds: int,
    kdf_profile: str,
    generator: str = "auto",
    mappings: int = MAPPINGS,
    warmup: bool = True,
    log=print,  # type: ignore[no-untyped-def]
) -> ThroughputResult:
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    data_dir = work / "data-throughput"
    shape = Shape(subaccounts=1, mappings_per_subaccount=mappings, resources_per_mapping=10)
    build_data_dir(data_dir, shape, kdf_profile=kdf_profile)
    instance = open_instance(settings_for(data_dir, kdf_profile=kdf_profile))
    try:
        tls = write_tls_files(instance)
        sa = instance.store.children("subaccount", None)[0].body
    finally:
        instance.close()
    bare_dir = work / "bare"
    bare_dir.mkdir(exist_ok=True)
    shutil.copy(tls.certificate, bare_dir / "cert.pem")
    shutil.copy(tls.key, bare_dir / "key.pem")
    mappings_path = (
        f"/api/v1/configuration/subaccounts/{quote(sa['regionHost'])}/{quote(sa['subaccount'])}"
        "/systemMappings"
    )
    paths = {"version": READY_PATH, "mappings": mappings_path}

    port, bare_port = free_port(), free_port()
    url, bare_url = f"https://{LOOPBACK}:{port}", f"https://{LOOPBACK}:{bare_port}"
    server = openscc_server(
        data_dir, port, kdf_profile=kdf_profile, log_path=work / "server-throughput.log"
    )
    basic = "Basic " + base64.b64encode(f"Administrator:{ADMIN_PASSWORD}".encode()).decode()
    cells = {(e, m): Cell() for e in ENDPOINTS for m in MODES}
    with server.start():
        wait_https(server, url + READY_PATH)
        with httpx.Client(verify=False, timeout=60) as client:
            first = client.get(url + READY_PATH, headers={"Authorization": basic})
            first.raise_for_status()
            (bare_dir / "version.json").write_bytes(first.content)
            listed = client.get(url + mappings_path, headers={"Authorization": basic})
            listed.raise_for_status()
            if len(listed.json()) != mappings:
                raise RuntimeError(f"the list has {len(listed.json())} mappings, not {mappings}")
            (bare_dir / "mappings.json").write_bytes(listed.content)
        bare = Process(
            [sys.executable, "-m", "bench.bare_app", str(bare_dir / "cert.pem"),
             str(bare_dir / "key.pem"), tls.key_password, str(bare_port), str(bare_dir)],
            log_path=work / "bare-app.log",
            env=bench_env(),
        )  # fmt: skip
        with bare.start():
            wait_https(bare, bare_url + READY_PATH)
            session = _Session(url, basic)

            def target(mode: str) -> tuple[int, str, list[str]]:
                if mode == "bare":
                    return bare.pid, bare_url, []
                if mode == "basic":
                    return server.pid, url, [f"Authorization: {basic}"]
                # A fresh session per run, as a browser's would be.
                return server.pid, url, [session.start()]

            for mode in MODES if warmup else ():  # warm-up, not counted
                for endpoint in ENDPOINTS:
                    pid, base, headers = target(mode)
                    _measure(generator, pid, base + paths[endpoint], min(seconds / 2, 1.0), headers)
            for round_number in range(rounds):
                for endpoint in ENDPOINTS:
                    for mode in MODES:
                        pid, base, headers = target(mode)
                        run = _measure(generator, pid, base + paths[endpoint], seconds, headers)
                        # Every answer was 2xx; make sure it was the JSON, not the login page.
                        _check_answer(base + paths[endpoint], headers)
                        cells[(endpoint, mode)].runs.append(run)
                        log(
                            f"  round {round_number + 1}/{rounds} {endpoint:8} {mode:7} "
                            f"{run.rps:8.0f} req/s p50 {run.p50_ms:6.2f} ms p99 {run.p99_ms:6.2f} ms "
                            f"server cpu {run.server_cpu:.0%} non-2xx {run.non2xx}"
                        )
    return ThroughputResult(
        generator=generator,
        seconds=seconds,
        rounds=rounds,
        cells=cells,
        mappings_bytes=len((bare_dir / "mappings.json").read_bytes()),
    )

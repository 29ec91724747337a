"""The benchmark (``make bench``) at toy size, so its code does not rot: CI never runs it in full.

Real processes as in the real run (openscc serve, the bare app, the Python load generator), with a
configuration of about 20 resources, the test KDF and half-second load runs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.data import records, shape_for
from bench.floor import measure_floor
from bench.report import MARKER
from bench.throughput import parse_wrk

pytestmark = pytest.mark.slow

SECTIONS = (
    "## Targets",
    "## 1. Backup and restore at scale",
    "### Server memory",
    "## 2. The floor and the KDF",
    "## 3. Peer: etcd",
    "## 4. API throughput",
    "## 5. A logon flood",
    "## 6. The event loop under heavy work",
    "## 7. What each cache and fast path buys",
    "## 8. High availability: sync, replication lag, failover",
)


def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    output.write_text(f"# Hand-written intro\n\nKept as it is.\n\n{MARKER}\n\nold figures\n")
    code = main(
        [
            "--quick", "--sizes", "20", "--runs", "1", "--seconds", "0.3", "--rounds", "1",
            "--mappings", "5", "--scale-kdf", "test", "--server-kdf", "test", "--kdf-runs", "1",
            "--generator", "python", "--no-peer", "--no-warmup", "--output", str(output),
            "--flood-logons", "10", "--flood-kdf", "test",
            "--loop-resources", "200", "--loop-key-seconds", "0.3",
            "--fast-path-resources", "200",
            "--ha-resources", "20", "--ha-changes", "3",
            "--work", str(tmp_path / "work"),
        ]
    )  # fmt: skip
    assert code == 0
    text = output.read_text()
    assert text.startswith("# Hand-written intro\n\nKept as it is.\n")
    assert "old figures" not in text
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    # One row per size, with times, ratios and an archive size.
    assert re.search(r"^\| 20 \| 22 \| 1 \| [\d.]+ MB \| [\d.]+s .*x \|", text, re.MULTILINE)
    backup_target = r"\| backup <= 1\.5x floor at 20 \| [\d.]+x \(CPU time: [\d.]+x\) \| "
    assert re.search(backup_target + r"\*\*(met|missed)\*\* \|", text)
    assert "memory growth <= 150 MB at 20" in text
    assert re.search(
        r"\| failover <= takeover delay \+ one check interval \(4s\) \| [\d.]+s \|", text
    )
    assert "skipped (--no-peer)" in text
    assert len(re.findall(r"^\| .* \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+x \|$", text, re.M)) == 5
    for phase in ("idle", "keys", "backup", "restore"):
        assert re.search(
            rf"^\| {phase} \| [\d.]+ \| .* \| [\d,]+ \| [\d.]+ ms \| [\d.]+ ms \|", text, re.M
        )
    assert re.search(r"^\| 10 \| 10 `401` \| [\d.]+ \| \d+ MiB \| \d+ MiB \|$", text, re.MULTILINE)
    for endpoint in ("version", "mappings"):
        for mode in ("bare", "basic", "session"):
            assert re.search(rf"^\| {endpoint} \| {mode} \| [\d,]+ \|", text, re.MULTILINE), (
                endpoint,
                mode,
            )
    assert "basic auth >= 50% of bare" in text
    assert "session >= 70% of bare" in text
    assert "load by `python`" in text


def test_floor_reads_back_what_it_wrote() -> None:
    data = list(records(shape_for(50)))
    floor = measure_floor(data, 1)
    assert floor["floor_s"] > 0
    assert floor["reverse_s"] > 0
    assert floor["bytes"] > 0


def test_wrk_output_is_parsed() -> None:
    sample = """Running 1s test @ https://127.0.0.1:1/api/v1/connector/version
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.10ms    1.20ms  30.63ms   90.00%
    Req/Sec     4.12k   200.00     4.50k    70.00%
  Latency Distribution
     50%    3.94ms
     75%    4.50ms
     90%    5.10ms
     99%  830.00us
  4105 requests in 1.00s, 1.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4105.12
Transfer/sec:      1.10MB
"""
    rps, p50, p99, requests, bad = parse_wrk(sample)
    assert (rps, p50, requests, bad) == (4105.12, 3.94, 4105, 3)
    assert p99 == pytest.approx(0.83)


def test_etcd_peer_is_measured_where_installed_and_reported_missing_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without etcd the benchmark says so instead of failing; with it, the snapshot is timed."""
    from bench.peer import etcd_available, measure_etcd

    monkeypatch.setattr(shutil, "which", lambda tool: None)
    assert etcd_available() == "etcd not installed (etcd, etcdctl not found)"
    monkeypatch.undo()
    if etcd_available() is None:
        result = measure_etcd(list(records(shape_for(20))), 1, tmp_path)
        assert result["keys"] == 22
        assert float(result["snapshot_s"]) > 0

"""The peer: ``etcdctl snapshot save`` of as many keys, with values of similar size.

etcd is started by the benchmark on two free loopback ports with a data directory of its own and
stopped afterwards. The keys are the configuration's entity keys; each value is the JSON of the
entity's parent, body and secret, so etcd stores about what openscc stores. Keys are loaded in
transactions of a few thousand puts through etcd's JSON gateway (not timed). The snapshot is not
compressed or encrypted, which is less work than a backup archive: the ratio flatters etcd.
"""

from __future__ import annotations

import base64
import json
import shutil
import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.procs import LOOPBACK, Process, free_port
from openscc.store.records import EntityRecord

BATCH = 2000


def etcd_available() -> str | None:
    """None if etcd and etcdctl are installed, else why not."""
    missing = [tool for tool in ("etcd", "etcdctl") if shutil.which(tool) is None]
    return f"etcd not installed ({', '.join(missing)} not found)" if missing else None


def _version() -> str:
    out = subprocess.run(["etcd", "--version"], capture_output=True, text=True, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "etcd"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _load(client: httpx.Client, url: str, records: Sequence[EntityRecord]) -> int:
    stored = 0
    for start in range(0, len(records), BATCH):
        puts = []
        for record in records[start : start + BATCH]:
            value = json.dumps(
                {"parent": record.parent, "body": record.body, "secret": record.secret},
                separators=(",", ":"),
            )
            key = "/openscc/" + record.kind + "/" + record.key.replace("\x1f", "/")
            puts.append({"requestPut": {"key": _b64(key), "value": _b64(value)}})
        response = client.post(url + "/v3/kv/txn", json={"success": puts})
        response.raise_for_status()
        stored += len(puts)
    count = client.post(
        url + "/v3/kv/range",
        json={"key": _b64("/openscc/"), "range_end": _b64("/openscc0"), "count_only": True},
    )
    count.raise_for_status()
    found = int(count.json().get("count", 0))
    if found != stored:
        raise RuntimeError(f"etcd holds {found} keys, {stored} were put")
    return found


def measure_etcd(records: Sequence[EntityRecord], runs: int, work: Path) -> dict[str, float | str]:
    """Median seconds of ``etcdctl snapshot save`` over ``runs`` runs, the snapshot's size."""
    client_port, peer_port = free_port(), free_port()
    client_url = f"http://{LOOPBACK}:{client_port}"
    peer_url = f"http://{LOOPBACK}:{peer_port}"
    data_dir = work / f"etcd-{len(records)}"
    shutil.rmtree(data_dir, ignore_errors=True)
    args = [
        "etcd", "--name", "bench", "--data-dir", str(data_dir),
        "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
        "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
        "--initial-cluster", f"bench={peer_url}", "--initial-cluster-state", "new",
        "--max-txn-ops", str(BATCH), "--max-request-bytes", str(32 * 1024 * 1024),
        "--quota-backend-bytes", str(4 * 1024**3), "--log-level", "error",
    ]  # fmt: skip
    snapshot = work / f"etcd-{len(records)}.db"
    times: list[float] = []
    with (
        Process(args, log_path=work / "etcd.log").start() as etcd,
        httpx.Client(timeout=120) as client,
    ):
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.get(client_url + "/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if not etcd.running() or time.monotonic() > deadline:
                raise RuntimeError(f"etcd did not start\n{etcd.log_tail()}")
            time.sleep(0.05)
        keys = _load(client, client_url, records)
        for _ in range(runs):
            snapshot.unlink(missing_ok=True)
            start = time.perf_counter()
            subprocess.run(
                ["etcdctl", "--endpoints", client_url, "snapshot", "save", str(snapshot)],
                check=True, capture_output=True, env={"ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"},
            )  # fmt: skip
            times.append(time.perf_counter() - start)
    size = snapshot.stat().st_size
    shutil.rmtree(data_dir, ignore_errors=True)
    snapshot.unlink(missing_ok=True)
    return {
        "snapshot_s": statistics.median(times),
        "bytes": float(size),
        "keys": float(keys),
        "version": _version(),
    }


def measure_backup_levels(
    data_dir: Path, runs: int, levels: Sequence[int] = (6, 1)
) -> dict[int, float]:
    """Median seconds of an in-process backup of ``data_dir`` at each deflate level: how close a
    compressed, encrypted backup can come to etcd's plain snapshot without HTTP."""
    from openscc.backup.create import create_backup
    from openscc.instance import open_instance
    from openscc.settings import Settings

    instance = open_instance(Settings(data_dir=data_dir, kdf_profile="test"))
    result: dict[int, float] = {}
    try:
        for level in levels:
            times = []
            for _ in range(runs):
                with (data_dir.parent / f"levels-{level}.zip").open("w+b") as out:
                    start = time.perf_counter()
                    create_backup(instance, "Levels-pa55word", out, compress_level=level)
                    times.append(time.perf_counter() - start)
            result[level] = statistics.median(times)
    finally:
        instance.close()
    return result

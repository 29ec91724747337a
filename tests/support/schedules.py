"""Helpers of the scheduled-backup tests: following a run through openscc's own API.

finished(client, run_id)   the run once it is no longer running (fails after a timeout)
run_now(client, name)      POST .../run, then the finished run
"""

from __future__ import annotations

import time
from typing import Any, Protocol

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"


class _Client(Protocol):
    def get(self, url: str) -> Any: ...

    def post(self, url: str) -> Any: ...


def finished(client: _Client, run_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [run] = [r for r in client.get(RUNS).json() if r["id"] == run_id]
        if run["status"] != "running":
            return run  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish within {timeout} s")


def run_now(client: _Client, name: str, timeout: float = 30.0) -> dict[str, Any]:
    return finished(client, client.post(f"{SCHEDULES}/{name}/run").json()["id"], timeout)

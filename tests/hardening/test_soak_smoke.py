"""The soak (``make soak``, bench/soak.py) at toy size, so it cannot rot: a few seconds, a few clients,
one backup and one restore against a real server; and its journal check on made-up histories.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import ACKED, REFUSED, UNKNOWN, Figures, SoakClient, Write, possible_values

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_short_soak_passes_and_reports_its_figures(tmp_path: Path) -> None:
    """`python -m bench.soak` runs clients, backups and a restore against a real server, checks every journal and exits 0."""
    report = tmp_path / "soak.json"
    env = {
        **os.environ,
        "SOAK_SECONDS": "5",
        "SOAK_CLIENTS": "3",
        "SOAK_BACKUP_EVERY": "1",
        "SOAK_RESTORE_EVERY": "2.5",
        "SOAK_KDF_PROFILE": "test",
        "SOAK_REPORT": str(report),
    }

    result = subprocess.run(
        [sys.executable, "-m", "bench.soak"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(report.read_text())
    assert figures["passed"]
    assert figures["failures"] == []
    assert figures["clients"] == 3
    assert figures["backups"] >= 1
    assert figures["restores"] >= 1
    assert figures["writes_checked"] == figures["writes_acknowledged"] > 0
    assert figures["server_5xx"] == 0
    assert figures["memory"]["samples"] >= 2
    assert "soak: PASSED" in result.stdout


def _write(value: str | None, sent: float, done: float, outcome: str = ACKED) -> Write:
    return Write(("mapping", "c1-1.soak"), value, sent, done, outcome)


def test_journal_window_keeps_writes_before_the_backup_and_drops_later_ones() -> None:
    """A write acknowledged before the backup must survive its restore; one sent after it may not; one in flight may go either way."""
    writes = [
        _write("a", 1, 2),
        _write("b", 3, 6),
        _write("c", 8, 9),
        _write("d", 9.5, 9.6, REFUSED),
    ]

    assert possible_values(None, writes, start=2.5, end=7) == {"a", "b"}
    assert possible_values(None, writes, start=7, end=7.5) == {"b"}
    assert possible_values(None, writes, start=10, end=10) == {"c"}
    assert possible_values("x", [_write(None, 1, 2, UNKNOWN)], start=5, end=5) == {"x", None}


def test_journal_check_flags_a_lost_write() -> None:
    """At the end of a run, a server state without an acknowledged write is reported as a failure."""
    run = type("FakeRun", (), {"config": type("C", (), {"seed": 1})(), "figures": Figures()})()
    client = SoakClient(run, 1)  # type: ignore[arg-type]
    client.journal = [_write("kept", 1, 2)]

    client.check({}, 5, 5, "end of run")

    assert len(run.figures.failures) == 1
    assert "journal allows" in run.figures.failures[0]


def test_journal_check_accepts_the_state_it_expects() -> None:
    """The same check passes when the server holds the acknowledged write."""
    run = type("FakeRun", (), {"config": type("C", (), {"seed": 1})(), "figures": Figures()})()
    client = SoakClient(run, 1)  # type: ignore[arg-type]
    client.journal = [_write("kept", 1, 2)]

    client.check({("mapping", "c1-1.soak"): "kept"}, 5, 5, "end of run")

    assert run.figures.failures == []
    assert run.figures.writes_checked == 1

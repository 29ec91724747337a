"""`openscc stop --data-dir DIR` stops the server of that data directory, and only that one: the
pid comes from the directory's server lock, never from a process listing."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from support.server_process import ServerProcess

pytestmark = pytest.mark.slow


def _stop(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openscc", "stop", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_stop_ends_the_server_of_that_data_directory_only(
    tmp_path: Path, server_factory: Callable[..., ServerProcess]
) -> None:
    mine = server_factory(tmp_path / "mine").start()
    other = server_factory(tmp_path / "other").start()

    stopped = _stop(mine.data_dir)

    assert stopped.returncode == 0, stopped.stderr
    assert f"pid {mine.pid}" in stopped.stdout
    # A graceful stop: uvicorn ends, then re-raises the SIGTERM it caught.
    assert mine.wait_exit(timeout=30) in (0, -signal.SIGTERM)
    assert other.is_running()


def test_stop_without_a_server_says_so(tmp_path: Path) -> None:
    (tmp_path / "idle").mkdir()

    stopped = _stop(tmp_path / "idle")

    assert stopped.returncode == 0
    assert "No openscc serve runs on" in stopped.stdout

"""Server processes the benchmark starts, and the memory of a process as Linux reports it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx

LOOPBACK = "127.0.0.1"
READY_PATH = "/api/v1/connector/version"
_SCRUBBED = ("OPENSCC_ADMIN_PASSWORD", "OPENSCC_DATA_DIR", "OPENSCC_TEST_FAULT_POINTS")


def bench_env() -> dict[str, str]:
    """The environment for ``python -m bench.<module>`` children, wherever the parent runs."""
    root = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}",
        "PYTHONUNBUFFERED": "1",
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class Process:
    """A subprocess on a loopback port, logging to a file, stopped with SIGTERM then SIGKILL."""

    def __init__(
        self, args: Sequence[str], *, log_path: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.args = list(args)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - open while the process runs
        self.process = subprocess.Popen(
            self.args,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_https(process: Process, url: str, timeout: float = 60.0) -> float:
    """Poll ``url`` until it answers over HTTPS (any status); the seconds it took."""
    start = time.perf_counter()
    deadline = start + timeout
    with httpx.Client(verify=False, timeout=2.0) as client:
        while True:
            if not process.running():
                raise RuntimeError(f"{process.args[:4]} exited\n{process.log_tail()}")
            try:
                client.get(url, headers={"Connection": "close"})
                return time.perf_counter() - start
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{url} did not answer in {timeout}s\n{process.log_tail()}")
            time.sleep(0.02)


def openscc_server(data_dir: Path, port: int, *, kdf_profile: str, log_path: Path) -> Process:
    """``openscc serve`` as a user would run it (one process, uvicorn, TLS), not yet started."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env["OPENSCC_KDF_PROFILE"] = kdf_profile
    env["PYTHONUNBUFFERED"] = "1"
    args = [sys.executable, "-m", "openscc", "serve", "--data-dir", str(data_dir)]
    args += ["--host", LOOPBACK, "--port", str(port)]
    return Process(args, log_path=log_path, env=env)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


_TICKS = os.sysconf("SC_CLK_TCK")


# --- memory --------------------------------------------------------------------------------------


def status_kib(pid: int, field: str) -> int:
    """A ``VmRSS``/``VmHWM``-style field of /proc/<pid>/status, in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux >= 4.0); False where not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


class MemorySampler:
    """Samples a process's VmRSS in a thread while an operation runs; the peak over the window.

    Before the window the kernel's high-water mark is reset, so VmHWM read at the end also
    catches peaks between two samples.
    """

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.pid = pid
        self.interval = interval
        self.baseline_kib = 0
        self.peak_kib = 0
        self.samples = 0
        self.hwm_reset = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self.hwm_reset = reset_peak(self.pid)
        self.baseline_kib = status_kib(self.pid, "VmRSS")
        self.peak_kib = self.baseline_kib
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss = status_kib(self.pid, "VmRSS")
            except (OSError, KeyError):
                return
            self.samples += 1
            self.peak_kib = max(self.peak_kib, rss)
            self._stop.wait(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.hwm_reset:
            with contextlib.suppress(OSError, KeyError):
                self.peak_kib = max(self.peak_kib, status_kib(self.pid, "VmHWM"))

    @property
    def growth_mib(self) -> float:
        return (self.peak_kib - self.baseline_kib) / 1024

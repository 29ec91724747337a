"""The ``openscc serve`` a torture run kills: started (sometimes with a fault point that makes
it kill itself at one step of a restore), waited for, killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
from pathlib import Path

import httpx

from bench.procs import Process, free_port, openscc_server, wait_https

ADMINISTRATOR = "Administrator"
ADMIN_PASSWORD = "Torture-Adm1n-pw"
READY = "/api/v1/connector/version"


class ServerDied(RuntimeError):
    """The server is not running: killed, or it killed itself at a fault point."""


class KillableServer:
    def __init__(self, root: Path) -> None:
        self.data_dir = root / "data"
        self.log_path = root / "server.log"
        self.port = free_port()
        self.process: Process | None = None
        self.fault_point: str | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self.process is None or not self.process.running() else self.process.pid

    def start(self, fault_point: str | None = None) -> None:
        """Start it; ServerDied if it ended before answering (a fault point at start-up)."""
        process = openscc_server(
            self.data_dir, self.port, kdf_profile="test", log_path=self.log_path
        )
        assert process.env is not None
        process.env["OPENSCC_ADMIN_PASSWORD"] = ADMIN_PASSWORD  # used at the first start only
        if fault_point:
            process.env["OPENSCC_TEST_FAULT_POINTS"] = fault_point
        self.fault_point = fault_point
        self.process = process.start()
        try:
            wait_https(process, self.url + READY, timeout=60)
        except RuntimeError as error:
            if not process.running():
                self._reap()
                raise ServerDied(str(error).splitlines()[0]) from None
            raise

    def kill(self, pid: int) -> bool:
        """SIGKILL the process ``pid`` if it is still this server; whether it was killed."""
        if self.pid != pid:
            return False
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def running(self) -> bool:
        return self.process is not None and self.process.running()

    def wait_dead(self, timeout: float = 30.0) -> None:
        if self.process is not None and self.process.process is not None:
            try:
                self.process.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.process.kill()
                self.process.process.wait(timeout)
        self._reap()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def _reap(self) -> None:
        if self.process is not None:
            self.process.stop()  # closes the log; the process has ended
            self.process = None

    def client(self) -> httpx.Client:
        context = ssl.create_default_context(
            cafile=str(self.data_dir / "tls" / "ui-certificate.pem")
        )
        return httpx.Client(
            base_url=self.url, verify=context, auth=(ADMINISTRATOR, ADMIN_PASSWORD), timeout=60
        )

    def log_tail(self) -> str:
        return "" if self.process is None else self.process.log_tail()

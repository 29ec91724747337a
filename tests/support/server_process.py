"""The real ``openscc serve`` process, for end-to-end tests: start, wait, restart, stop, kill -9.

    server = ServerProcess(tmp_path / "data")   # the Administrator has ADMIN_PASSWORD
    server.start()                 # waits until HTTPS answers
    httpx.get(server.url + "/api/v1/connector/version", verify=False, auth=server.admin_auth)
    server.stop()                  # SIGTERM, then SIGKILL
    server.start()                 # same port, same data directory
    server.kill9()                 # as a crash would
    server.log_text()              # everything the process wrote, across restarts

Every start runs with OPENSCC_KDF_PROFILE=test so passwords hash quickly.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from support.apps import ADMIN_PASSWORD

LOOPBACK = "127.0.0.1"
READY_PATH = "/api/v1/connector/version"
ADMINISTRATOR = "Administrator"
# Variables a developer's shell might hold that would change what a test server does.
_SCRUBBED_ENV = ("OPENSCC_ADMIN_PASSWORD", "OPENSCC_DATA_DIR", "OPENSCC_TEST_FAULT_POINTS")


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free a moment ago (the OS picks it, so parallel tests rarely collide)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class ServerNotReady(RuntimeError):
    """The server exited or did not answer HTTPS in time; the message ends with its log."""


class ServerProcess:
    """One ``openscc serve`` subprocess on a loopback port and a data directory of its own."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        host: str = LOOPBACK,
        admin_password: str | None = ADMIN_PASSWORD,
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        pass_address: bool = True,
        log_path: Path | None = None,
    ) -> None:
        """``pass_address=False`` omits --host/--port, so the server uses its props.ini (the
        given ``host`` and ``port`` must then match it, since they make ``url``)."""
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.admin_password = admin_password
        self.extra_env = dict(env or {})
        self.extra_args = tuple(extra_args)
        self.pass_address = pass_address
        self.log_path = log_path or self.data_dir.with_name(self.data_dir.name + "-server.log")
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def admin_auth(self) -> tuple[str, str]:
        """Basic-auth credentials of the Administrator (the OPENSCC_ADMIN_PASSWORD given)."""
        if self.admin_password is None:
            raise RuntimeError("this server was started without an admin password")
        return ADMINISTRATOR, self.admin_password

    @property
    def certificate_path(self) -> Path:
        """The UI certificate the server presents (self-signed, valid for 127.0.0.1)."""
        return self.data_dir / "tls" / "ui-certificate.pem"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "openscc", "serve", "--data-dir", str(self.data_dir)]
        if self.pass_address:
            args += ["--host", self.host, "--port", str(self.port)]
        return args + list(self.extra_args)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env["OPENSCC_KDF_PROFILE"] = "test"
        env["PYTHONUNBUFFERED"] = "1"
        if self.admin_password is not None:
            env["OPENSCC_ADMIN_PASSWORD"] = self.admin_password
        env.update(self.extra_env)
        return env

    def start(self, *, wait: bool = True, timeout: float = 30.0) -> ServerProcess:
        """Start the process (again, on the same port and data directory); wait until it answers."""
        if self.is_running():
            raise RuntimeError("the server is already running")
        self._close_log()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - stays open while the process runs
        self._log.write(f"--- start: {' '.join(self.command())}\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.environment(),
            start_new_session=True,  # a Ctrl-C of the test run does not hit it twice
        )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Poll until HTTPS answers (any status counts); raise with the log if it never does."""
        deadline = time.monotonic() + timeout
        with httpx.Client(verify=False, timeout=2.0) as client:
            while True:
                if not self.is_running():
                    raise ServerNotReady(
                        f"openscc serve exited with {self.returncode}\n{self.log_text()}"
                    )
                try:
                    client.get(self.url + READY_PATH, headers={"Connection": "close"})
                    return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerNotReady(
                        f"openscc serve did not answer within {timeout}s\n{self.log_text()}"
                    )
                time.sleep(0.05)

    def wait_exit(self, timeout: float = 15.0) -> int:
        """Wait for the process to end on its own; its exit code."""
        if self.process is None:
            raise RuntimeError("the server was never started")
        return self.process.wait(timeout)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it takes too long; the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._close_log()
        return self.process.returncode

    def kill9(self) -> None:
        """End the process at once, as a crash or power cut would."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._close_log()

    def restart(self, *, timeout: float = 30.0) -> ServerProcess:
        self.stop()
        return self.start(timeout=timeout)

    def log_text(self) -> str:
        """Everything the process wrote to stdout and stderr, across all its starts."""
        if self._log is not None:
            self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def client(self, **options: object) -> httpx.Client:
        """An httpx client for this server that trusts its UI certificate."""
        context = ssl.create_default_context(cafile=str(self.certificate_path))
        return httpx.Client(base_url=self.url, verify=context, **options)  # type: ignore[arg-type]

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> ServerProcess:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

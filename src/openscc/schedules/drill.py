"""A restore drill: the archive restored into a throwaway openscc on loopback (a temporary data
directory and a free port), the server started on the restored configuration, and the
configuration it holds compared with the archive's. An untested backup is not a backup."""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from openscc import __version__
from openscc.background.workers import Interrupted, StopSignal
from openscc.backup.archive import read_archive
from openscc.backup.diff import diff_configurations
from openscc.backup.restore_apply import apply_pending_restore
from openscc.instance import open_instance
from openscc.layout import DataDir
from openscc.settings import Settings

_READY_SECONDS = 60.0
_SERVE = (sys.executable, "-m", "openscc", "serve", "--host", "127.0.0.1")
_SCRUBBED = ("OPENSCC_ADMIN_PASSWORD", "OPENSCC_DATA_DIR", "OPENSCC_HA_ROLE")


@dataclass
class DrillReport:
    passed: bool
    archive: str
    entities: int = 0
    start_seconds: float = 0.0
    restore_seconds: float = 0.0
    restart_seconds: float = 0.0
    seconds: float = 0.0
    differences: list[str] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            "passed": data["passed"],
            "archive": data["archive"],
            "entities": data["entities"],
            "startSeconds": round(data["start_seconds"], 2),
            "restoreSeconds": round(data["restore_seconds"], 2),
            "restartSeconds": round(data["restart_seconds"], 2),
            "seconds": round(data["seconds"], 2),
            "differences": data["differences"],
            "error": data["error"],
        }

    def summary(self) -> str:
        if not self.passed:
            return f"failed: {self.error or '; '.join(self.differences[:3])}"
        return (
            f"passed: {self.entities} entities restored and read back in {self.seconds:.1f}s "
            f"(start {self.start_seconds:.1f}s, restore {self.restore_seconds:.1f}s, restart "
            f"{self.restart_seconds:.1f}s)"
        )


def _pinned(certificate: Path) -> ssl.SSLContext:
    """Trust exactly the throwaway server's certificate. After the restore it is the archive's
    UI certificate, whose names are the original host's, so the name is not checked: only the
    holder of that key gets through."""
    context = ssl.create_default_context(cafile=str(certificate))
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Throwaway:
    """``openscc serve`` on a temporary data directory, on loopback."""

    def __init__(
        self, data_dir: Path, admin_password: str, kdf_profile: str, stop: StopSignal
    ) -> None:
        self.data_dir = data_dir
        self.stop_signal = stop
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.log = data_dir.parent / "server.log"
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        # OPENSCC_DRILL: the restored schedules, pair and alerts stay asleep in the throwaway.
        env.update(
            OPENSCC_ADMIN_PASSWORD=admin_password,
            OPENSCC_KDF_PROFILE=kdf_profile,
            OPENSCC_DRILL="1",
        )
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self._forget_stop: Callable[[], None] = lambda: None

    def start(self) -> float:
        started = time.monotonic()
        with self.log.open("ab") as log:
            # Our own interpreter and arguments: nothing comes from outside.
            self.process = subprocess.Popen(  # noqa: S603
                [*_SERVE, "--data-dir", str(self.data_dir), "--port", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
            )
        # A stop of the runtime ends the throwaway at once, wherever the drill waits for it
        # (a restore upload to it cannot check the signal): no orphan outlives the server.
        self._forget_stop = self.stop_signal.when_set(self.process.kill)
        self._wait_ready()
        return time.monotonic() - started

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _READY_SECONDS
        certificate = DataDir(self.data_dir).ui_certificate
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the throwaway server exited: {self._tail()}")
            if certificate.exists():
                try:
                    with httpx.Client(verify=_pinned(certificate), timeout=2) as client:
                        if client.get(f"{self.url}/exposed?action=ping").status_code == 200:
                            return
                except (httpx.HTTPError, OSError):
                    pass
            if self.stop_signal.wait(0.1):
                raise Interrupted("the server is stopping")
        raise RuntimeError("the throwaway server did not answer in time")

    def _tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-400:].strip()
        except OSError:
            return ""

    def stop(self) -> None:
        self._forget_stop()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                # Not long when the runtime stops: the throwaway need not end gracefully.
                self.process.wait(1 if self.stop_signal.is_set() else 15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def run_drill(
    archive: Path,
    password: str,
    *,
    kdf_profile: str = "production",
    stop: StopSignal | None = None,
) -> DrillReport:
    """Restore ``archive`` into a throwaway instance and compare; never raises for a failed
    drill (the report says why). Raises Interrupted when ``stop`` is set (the throwaway is
    killed on the way out)."""
    stop = stop or StopSignal()
    began = time.monotonic()
    report = DrillReport(passed=False, archive=str(archive))
    with tempfile.TemporaryDirectory(prefix="openscc-drill-") as folder:
        data_dir = Path(folder) / "data"
        admin_password = "Drill-" + secrets.token_urlsafe(18)
        server = _Throwaway(data_dir, admin_password, kdf_profile, stop)
        try:
            report.start_seconds = server.start()
            stop.check()
            restore_began = time.monotonic()
            with (
                httpx.Client(
                    verify=_pinned(DataDir(data_dir).ui_certificate),
                    auth=("Administrator", admin_password),
                    timeout=300,
                ) as client,
                archive.open("rb") as upload,
            ):
                answer = client.put(
                    f"{server.url}/api/v1/configuration/backup",
                    files={"backup": (archive.name, upload, "application/zip")},
                    data={"password": password},
                )
            if answer.status_code != 204:
                report.error = _message(answer)
                return report
            report.restore_seconds = time.monotonic() - restore_began
            server.stop()
            stop.check()
            # Started again on the restored configuration: it must come up.
            report.restart_seconds = server.start()
            server.stop()
            stop.check()
            report.differences, report.entities = _compare(archive, password, data_dir)
            report.passed = not report.differences
        except (OSError, RuntimeError, httpx.HTTPError) as error:
            report.error = str(error)[:400]
        finally:
            server.stop()
            report.seconds = time.monotonic() - began
    return report


def _message(answer: httpx.Response) -> str:
    try:
        return f"the restore was refused ({answer.status_code}): {answer.json()['message']}"
    except (ValueError, KeyError, TypeError):
        return f"the restore was refused ({answer.status_code})"


def _compare(archive: Path, password: str, data_dir: Path) -> tuple[list[str], int]:
    """What differs between the archive's entities and the restored instance's."""
    with archive.open("rb") as src:
        reader = read_archive(src, password=password, product_version=__version__)
        wanted = list(reader.records())
    settings = Settings(data_dir=data_dir)
    apply_pending_restore(settings)
    instance = open_instance(settings)
    try:
        held = list(instance.store.iter_all())
    finally:
        instance.close()
    differences = []
    words = {
        "added": "missing after the restore",
        "removed": "not in the archive",
        "changed": "read back differently",
    }
    for kind, changes in diff_configurations(held, wanted).items():
        entry = changes.to_json()
        for category, words_for in words.items():
            if entry[category]:
                differences.append(f"{entry[category]} {kind} {words_for}")
    return differences, len(wanted)

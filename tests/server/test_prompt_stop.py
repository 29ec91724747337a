"""A SIGTERM, or a restore's restart, never waits for background work: a scheduled upload to an
object store that accepts and never answers, a restore drill, a backup written to a slow
directory target. The process ends within 5 s, and the run shows as interrupted."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.schedules import RUNS, SCHEDULES, finished
from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # real server processes

PROMPT = 5.0  # seconds a stop may take
PASSWORD = "Scheduled-pa55word"
NEVER = "0 0 1 1 *"


@contextmanager
def silent_store() -> Iterator[tuple[int, threading.Event]]:
    """A port that accepts connections, reads what comes and never answers; the event is set
    once a client has connected (an upload began)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    connected, stop = threading.Event(), threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
                connected.set()
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        yield listener.getsockname()[1], connected
    finally:
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
        listener.close()


def _schedule(http: httpx.Client, target: dict[str, Any], **more: Any) -> None:
    body = {"name": "nightly", "cron": NEVER, "password": PASSWORD, "target": target, **more}
    answer = http.post(SCHEDULES, json=body)
    assert answer.status_code == 201, answer.text


def _run(http: httpx.Client) -> str:
    answer = http.post(f"{SCHEDULES}/nightly/run")
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


def _terminate(server: ServerProcess) -> float:
    """SIGTERM, and the seconds until the process is gone."""
    assert server.process is not None
    began = time.monotonic()
    server.process.terminate()
    server.wait_exit(timeout=60)
    took = time.monotonic() - began
    server.stop()  # closes the log
    return took


def _status_after_restart(server: ServerProcess, run_id: str) -> dict[str, Any]:
    server.start()
    with server.client(auth=server.admin_auth, timeout=30) as http:
        [run] = [r for r in http.get(RUNS).json() if r["id"] == run_id]
    return run  # type: ignore[no-any-return]


def _s3(port: int) -> dict[str, str]:
    return {"type": "s3", "bucket": "b", "endpoint": f"http://127.0.0.1:{port}",
            "accessKeyId": "AKIA1", "secretAccessKey": "key-secret"}  # fmt: skip


def test_sigterm_during_an_upload_that_hangs(server_factory: Callable[..., ServerProcess]) -> None:
    server = server_factory().start()
    with silent_store() as (port, connected), server.client(auth=server.admin_auth) as http:
        _schedule(http, _s3(port))
        run_id = _run(http)
        assert connected.wait(60)  # the upload is under way, and will never be answered

        took = _terminate(server)

    print(f"SIGTERM: {took:.2f} s")
    assert took < PROMPT, f"SIGTERM took {took:.1f} s"
    run = _status_after_restart(server, run_id)
    assert run["status"] == "interrupted", run


def _drill_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"serve" in command and b"openscc-drill-" in command:
                found.append(int(entry.name))
    return found


def test_sigterm_during_a_drill(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    target.mkdir()
    before = set(_drill_processes())
    server = server_factory().start()
    with server.client(auth=server.admin_auth) as http:
        _schedule(http, {"type": "directory", "path": str(target)}, drill=True)
        run_id = _run(http)
        _wait_for(lambda: set(_drill_processes()) - before, "the drill's throwaway server")

        took = _terminate(server)

    print(f"SIGTERM: {took:.2f} s")
    assert took < PROMPT, f"SIGTERM took {took:.1f} s"
    _wait_for(lambda: not set(_drill_processes()) - before, "the throwaway's end", PROMPT)
    run = _status_after_restart(server, run_id)
    assert run["status"] == "interrupted", run


def test_sigterm_during_a_write_to_a_slow_target(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """The target takes 10 s to write a chunk (a test fault point): the stop does not wait for
    it, and the next start shows the run interrupted."""
    target = tmp_path / "backups"
    target.mkdir()
    server = server_factory(env={"OPENSCC_TEST_FAULT_POINTS": "target.slow_chunk"}).start()
    with server.client(auth=server.admin_auth) as http:
        _schedule(http, {"type": "directory", "path": str(target)})
        run_id = _run(http)
        _wait_for(lambda: any(target.glob(".*.partial")), "the write to the target")

        took = _terminate(server)

    print(f"SIGTERM: {took:.2f} s")
    assert took < PROMPT, f"SIGTERM took {took:.1f} s"
    del server.extra_env["OPENSCC_TEST_FAULT_POINTS"]
    run = _status_after_restart(server, run_id)
    assert run["status"] == "interrupted", run
    assert not any(p.name.startswith("openscc-") for p in target.iterdir())  # no archive
    with server.client(auth=server.admin_auth) as http:  # the next run cleans up after it
        next_run = finished(http, _run(http))
    assert next_run["status"] == "succeeded", next_run
    assert [p.name for p in target.iterdir()] == [Path(next_run["object"]).name]


def test_a_restore_restarts_at_once_while_an_upload_hangs(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory().start()
    with silent_store() as (port, connected), server.client(auth=server.admin_auth) as http:
        archive = http.post("/api/v1/configuration/backup", json={"password": PASSWORD})
        assert archive.status_code == 200
        _schedule(http, _s3(port))
        run_id = _run(http)
        assert connected.wait(60)

        restored = http.put(
            "/api/v1/configuration/backup",
            files={"backup": ("b.zip", archive.content)},
            data={"password": PASSWORD},
        )
        assert restored.status_code == 204, restored.text
        began = time.monotonic()
        marker = server.data_dir / "restore-pending"
        _wait_for(lambda: not marker.exists(), "the restart", 60)
        server.wait_ready()
        took = time.monotonic() - began

        print(f"restart: {took:.2f} s")
        assert took < PROMPT, f"the restart took {took:.1f} s"
        runs = {r["id"]: r for r in http.get(RUNS).json()}
    assert runs[run_id]["status"] == "interrupted"

"""Nothing blocking runs on the event loop: no file opened, renamed or synced, no SQLite
connection, no socket connected, no password hashed or checked, no RSA key made, from a thread
that runs the loop. (The store's own methods are watched by test_loop_never_waits_on_the_store.)

Python raises an audit event for each of ``open``, ``os.rename``, ``os.remove``,
``sqlite3.connect`` and ``socket.connect``; ``os.fsync``, Argon2 and RSA key generation are
wrapped. The watch runs while a client does what clients do: logs on, fills every kind of
configuration entity (which makes keys and certificates), makes a backup, a dry run and a
restore, changes a password, and a scheduled run happens; a wrong password and a refused request
are audited on the way.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric import rsa

from support.apps import USER_PASSWORD
from support.in_process import BACKUP_PASSWORD, InProcessServer
from support.populate import populate_every_kind
from support.schedules import SCHEDULES, run_now

WATCHED_EVENTS = {"open", "os.rename", "os.remove", "sqlite3.connect", "socket.connect"}
_watching = threading.Event()
_found: list[str] = []
_noting = threading.local()  # formatting the stack opens source files: not itself a finding


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _note(what: str) -> None:
    if getattr(_noting, "active", False):
        return
    _noting.active = True
    try:
        where = "".join(traceback.format_stack(limit=8)[:-2])
    finally:
        _noting.active = False
    _found.append(f"{what}\n{where}")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in WATCHED_EVENTS or not _watching.is_set() or not _on_the_loop():
        return
    if event == "open" and str(args[0]).endswith((".py", ".pyc")):
        return  # a module imported on its first use: once per process, not per request
    _note(f"{event} {args[0]!r}"[:200])


# An audit hook cannot be removed: it is added once per process and stays inert unless watching.
sys.addaudithook(_hook)


def _watched(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        if _watching.is_set() and _on_the_loop():
            _note(name)
        return function(*args, **kwargs)

    return call


@pytest.fixture
def blocking_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    monkeypatch.setattr(os, "fsync", _watched("os.fsync", os.fsync))
    monkeypatch.setattr(PasswordHasher, "hash", _watched("argon2 hash", PasswordHasher.hash))
    monkeypatch.setattr(PasswordHasher, "verify", _watched("argon2 verify", PasswordHasher.verify))
    monkeypatch.setattr(rsa, "generate_private_key", _watched("RSA key", rsa.generate_private_key))
    _found.clear()
    _watching.set()
    try:
        yield _found
    finally:
        _watching.clear()


def test_nothing_blocking_runs_on_the_event_loop(
    tmp_path: Path, blocking_on_the_loop: list[str]
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    with InProcessServer(tmp_path / "data", mode="restart") as server:
        admin = server.http
        logon = {"j_username": server.auth[0], "j_password": server.auth[1]}
        assert admin.post("/j_security_check", data=logon).status_code == 204
        wrong = admin.get("/api/v1/connector/version", auth=(server.auth[0], "Wrong-pa55word"))
        assert wrong.status_code == 401
        server.add_user("viewer", "sccdisplay")
        refused = admin.put("/api/v1/configuration/connector", json={},
                            auth=("viewer", USER_PASSWORD))  # fmt: skip
        assert refused.status_code == 403
        admin.auth = server.auth
        populate_every_kind(admin)
        archive = server.backup()
        assert server.restore(archive, dry_run=True).status_code == 200
        schedule = {"name": "loop", "cron": "0 0 1 1 *", "password": BACKUP_PASSWORD,
                    "target": {"type": "directory", "path": str(target)}}  # fmt: skip
        assert admin.post(SCHEDULES, json=schedule).status_code == 201
        assert run_now(admin, "loop")["status"] == "succeeded"
        changed = admin.put(
            "/api/v1/configuration/connector/authentication/basic",
            json={"oldPassword": server.password, "newPassword": "Loop-new-pa55word"},
        )
        assert changed.status_code == 204
        admin.auth = (server.auth[0], "Loop-new-pa55word")
        restored = admin.put(
            "/api/v1/configuration/backup",
            files={"backup": ("b.zip", archive)},
            data={"password": BACKUP_PASSWORD},
        )
        assert restored.status_code == 204, restored.text

    assert blocking_on_the_loop == []


def test_the_watch_sees_blocking_work_on_the_loop(blocking_on_the_loop: list[str]) -> None:
    async def on_the_loop() -> None:
        PasswordHasher().hash("on the loop")
        with open(os.devnull, "rb"):  # noqa: ASYNC230 - what the watch must see
            pass

    asyncio.run(on_the_loop())

    assert [found.split("\n")[0][:12] for found in blocking_on_the_loop] == [
        "argon2 hash", "open '/dev/n"]  # fmt: skip

"""The event loop never touches the store: every read and write of the instance's store
connection happens in the store thread (or, for backups, on a snapshot connection of a worker).

Every public method of ``EntityStore`` is watched while a client does what clients do: logs on
by form and by basic auth, fills every kind of configuration entity, lists, changes a password,
makes a backup and a dry run. A call from a thread that runs an event loop is a failure.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.store.entities import EntityStore
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, make_client
from support.populate import populate_every_kind

BACKUP = "/api/v1/configuration/backup"


@pytest.fixture
def loop_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of EntityStore methods called from a thread with a running event loop."""
    calls: list[str] = []

    def watched(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                calls.append(name)
            except RuntimeError:
                pass  # no event loop in this thread: the store thread or a worker
            return method(*args, **kwargs)

        return call

    for name, method in inspect.getmembers(EntityStore, inspect.isfunction):
        if not name.startswith("_"):
            monkeypatch.setattr(EntityStore, name, watched(name, method))
    return calls


def test_no_store_call_runs_on_the_event_loop(
    admin_app: Starlette, admin: TestClient, loop_calls: list[str]
) -> None:
    form = make_client(admin_app)
    assert (
        form.post(
            "/j_security_check", data={"j_username": ADMINISTRATOR, "j_password": ADMIN_PASSWORD}
        ).status_code
        == 204
    )
    assert form.get("/api/v1/configuration/connector").status_code == 200

    populate_every_kind(admin)
    for subaccount in admin.get("/api/v1/configuration/subaccounts").json():
        path = f"/api/v1/configuration/subaccounts/{subaccount['regionHost']}/{subaccount['subaccount']}"
        assert admin.get(f"{path}/systemMappings").status_code == 200
        assert admin.get(f"{path}/systemMappings").status_code == 200  # a cached answer
    backup = admin.post(BACKUP, json={"password": "Loop-backup-pa55"})
    assert backup.status_code == 200
    dry_run = admin.put(
        f"{BACKUP}?dryRun=true",
        files={"backup": ("b.zip", backup.content, "application/zip")},
        data={"password": "Loop-backup-pa55"},
    )
    assert dry_run.status_code == 200
    changed = admin.put(
        "/api/v1/configuration/connector/authentication/basic",
        json={"oldPassword": ADMIN_PASSWORD, "newPassword": "Loop-new-pa55word"},
    )
    assert changed.status_code == 204

    assert loop_calls == []


def test_the_watch_sees_a_call_on_the_loop(loop_calls: list[str], admin_app: Starlette) -> None:
    """The watch itself works: a store call made inside a coroutine is seen."""
    store = admin_app.state.services.instance.store

    async def on_the_loop() -> None:
        store.exists("connector", "connector")

    asyncio.run(on_the_loop())

    assert loop_calls == ["exists"]

"""What each cache and fast path buys: the same work timed with it and without it, in process.

Every shortcut openscc takes must earn its place with a figure. Each row runs one operation on the
same data twice per run, once as shipped and once with the shortcut switched off (by replacing
the one function that takes it), and reports the medians:

- backup, copying each stored body's JSON text into the archive vs encoding every body again;
- restore staging, parsing canonical archive lines with orjson (and keeping their body text) vs
  the strict standard-library parser for every line;
- the list of 1,000 system mappings, the cached answer vs building it;
- a basic-auth request, the credential cache vs an Argon2 check (production cost) per request;
- a request's lookups (user record, HA role), cached by the store's stamp vs read each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.data import ADMIN_PASSWORD, build_data_dir, shape_for
from openscc.app import create_app
from openscc.backup import lines as archive_lines
from openscc.backup import writer
from openscc.backup.create import create_backup
from openscc.backup.restore import open_upload
from openscc.backup.restore_apply import discard_staging
from openscc.backup.staging import build_staged_database
from openscc.backup.strict_json import parse_json
from openscc.instance import open_instance
from openscc.settings import Settings

BACKUP_PASSWORD = "Fast-path-pa55"


@dataclass(frozen=True, slots=True)
class FastPath:
    name: str
    what: str
    with_s: float
    without_s: float

    @property
    def gain(self) -> float:
        return self.without_s / self.with_s if self.with_s else float("nan")


@contextlib.contextmanager
def _replaced(owner: object, name: str, value: object) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _median(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _paired(
    work: Callable[[], object],
    switch_off: Callable[[], contextlib.AbstractContextManager[None]],
    runs: int,
) -> tuple[float, float]:
    """Medians of ``work`` as shipped and with the shortcut off, runs interleaved."""
    shipped, off = [], []
    for _ in range(runs):
        shipped.append(_median(work, 1))
        with switch_off():
            off.append(_median(work, 1))
    return statistics.median(shipped), statistics.median(off)


def run_fast_paths(work: Path, *, resources: int = 100_000, runs: int = 3) -> list[FastPath]:
    data_dir = work / "fast-paths-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    build_data_dir(data_dir, shape_for(resources), kdf_profile="test")
    settings = Settings(data_dir=data_dir, kdf_profile="test", admin_password=ADMIN_PASSWORD)
    instance = open_instance(settings)
    rows: list[FastPath] = []
    archive = work / "fast-paths.zip"
    try:

        def backup() -> None:
            with archive.open("w+b") as out:
                create_backup(instance, BACKUP_PASSWORD, out)

        with_s, without_s = _paired(
            backup, lambda: _replaced(writer, "_is_copyable", lambda text: False), runs
        )
        rows.append(
            FastPath(
                "backup: stored body text copied", f"{resources:,} resources", with_s, without_s
            )
        )

        def stage() -> None:
            with archive.open("rb") as src:
                build_staged_database(
                    instance, open_upload(src, BACKUP_PASSWORD).records(check_unique=False)
                )
            discard_staging(instance.data_dir)

        with_s, without_s = _paired(
            stage,
            lambda: _replaced(
                archive_lines, "parse_canonical", lambda raw: (parse_json(raw), False)
            ),
            runs,
        )
        rows.append(
            FastPath(
                "restore: canonical lines parsed by orjson, body text kept",
                f"staging {resources:,} resources",
                with_s,
                without_s,
            )
        )
    finally:
        instance.close()
    rows += _api_paths(work, runs)
    return rows


def _api_paths(work: Path, runs: int) -> list[FastPath]:
    """The request-side caches, through the app in process (no TLS, no sockets)."""
    from starlette.testclient import TestClient

    from bench.data import Shape

    data_dir = work / "fast-paths-api"
    shutil.rmtree(data_dir, ignore_errors=True)
    build_data_dir(
        data_dir,
        Shape(subaccounts=1, mappings_per_subaccount=1000, resources_per_mapping=1),
        kdf_profile="production",
    )
    settings = Settings(data_dir=data_dir, kdf_profile="production", admin_password=ADMIN_PASSWORD)
    app = create_app(settings)
    services = app.state.services
    rows: list[FastPath] = []
    with TestClient(app, base_url="https://testserver") as client:
        client.auth = ("Administrator", ADMIN_PASSWORD)
        subaccount = client.get("/api/v1/configuration/subaccounts").json()[0]
        mappings = (
            f"/api/v1/configuration/subaccounts/{subaccount['regionHost']}/"
            f"{subaccount['subaccount']}/systemMappings"
        )
        close = {"Connection": "close"}

        def list_mappings(count: int = 20) -> Callable[[], None]:
            def go() -> None:
                for _ in range(count):
                    assert client.get(mappings, headers=close).status_code == 200

            return go

        with_s, without_s = _paired(
            list_mappings(),
            lambda: _replaced(services.read_cache, "hit", lambda request, stamp: None),
            runs,
        )
        rows.append(
            FastPath(
                "list answers kept until a change", "20 lists of 1,000 mappings", with_s, without_s
            )
        )

        def versions(count: int = 20) -> Callable[[], None]:
            def go() -> None:
                for _ in range(count):
                    assert (
                        client.get("/api/v1/configuration/connector", headers=close).status_code
                        == 200
                    )

            return go

        credentials = services.authenticator.credentials
        with_s, without_s = _paired(
            versions(10), lambda: _replaced(credentials, "lookup", lambda *args: False), runs
        )
        rows.append(
            FastPath(
                "credential cache (basic auth)", "10 requests, production Argon2", with_s, without_s
            )
        )
        lookups = services.lookups

        def checks(count: int = 2000) -> Callable[[], None]:
            # What the guard reads for each request: the caller and the instance's HA role.
            async def run() -> None:
                for _ in range(count):
                    await lookups.user("Administrator")
                    await lookups.ha_role()

            return lambda: asyncio.run(run())

        with_s, without_s = _paired(
            checks(), lambda: _replaced(services.stamp, "current", _always_new()), runs
        )
        rows.append(
            FastPath(
                "lookups kept while the store is unchanged",
                "a request's user and HA role, 2,000 times",
                with_s,
                without_s,
            )
        )
    return rows


def _always_new() -> Callable[[], int]:
    counter = iter(range(10**12))
    return lambda: next(counter)

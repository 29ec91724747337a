"""Logons under attack: parallel guesses, floods of hash checks, over-long credentials.

Every test counts what the server really did (hash checks run, audit lines written, entries kept),
not only what it answered.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from bench.logon_flood import flood
from openscc.app import create_app
from openscc.layout import AUDIT_LOG
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, BASE_URL, add_user, make_client
from support.server_process import ServerProcess

CONNECTOR = "/api/v1/configuration/connector"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class HashCounter:
    """Counts Argon2 verifications, and how many ran at the same time at most."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, delay: float = 0.0) -> None:
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        original = PasswordHasher.verify
        counter = self

        def verify(hasher: PasswordHasher, hash: str, password: str) -> bool:
            with counter._lock:
                counter.calls += 1
                counter.running += 1
                counter.most_at_once = max(counter.most_at_once, counter.running)
            try:
                if delay:
                    time.sleep(delay)
                return original(hasher, hash, password)
            finally:
                with counter._lock:
                    counter.running -= 1

        monkeypatch.setattr(PasswordHasher, "verify", verify)


def _audit(settings: Settings) -> list[dict[str, object]]:
    path = settings.data_dir / AUDIT_LOG.name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _audit_bytes(settings: Settings) -> int:
    path = settings.data_dir / AUDIT_LOG.name
    return path.stat().st_size if path.exists() else 0


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Connection": "close"}


async def _get_all(app: Starlette, headers: list[dict[str, str]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return list(await asyncio.gather(*(client.get(CONNECTOR, headers=h) for h in headers)))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lockout_settings(admin_settings: Settings) -> Settings:
    return admin_settings.replace(
        login_failures_before_lockout=MAX_FAILURES, lockout_seconds=LOCKOUT_SECONDS
    )


@pytest.fixture
def display_app(lockout_settings: Settings, clock: FakeClock) -> Starlette:
    app = create_app(lockout_settings, clock=clock)
    add_user(app, "sccdisplay", name="viewer", password="Viewer-pa55word")
    return app


def test_parallel_guesses_check_at_most_the_allowed_failures(
    display_app: Starlette,
    lockout_settings: Settings,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """120 wrong passwords sent at once: at most MAX_FAILURES are ever checked against the hash,
    the user is locked, and then the right password is refused too until the lock ends."""
    counter = HashCounter(monkeypatch, delay=0.01)
    wrong = [_basic("viewer", f"guess-{n:03d}-pw") for n in range(120)]

    answers = asyncio.run(_get_all(display_app, wrong))
    right = asyncio.run(_get_all(display_app, [_basic("viewer", "Viewer-pa55word")]))[0]

    assert [a.status_code for a in answers] == [401] * 120
    assert counter.calls == MAX_FAILURES
    events = [e["event"] for e in _audit(lockout_settings) if e["actor"] == "viewer"]
    assert events.count("login.failure") + events.count("login.lockout") == MAX_FAILURES
    assert events.count("login.lockout") == 1
    assert right.status_code == 401

    clock.now += LOCKOUT_SECONDS + 1
    after_the_lock = asyncio.run(_get_all(display_app, [_basic("viewer", "Viewer-pa55word")]))[0]
    assert after_the_lock.status_code == 200


def test_the_right_password_among_parallel_guesses_does_not_lift_the_lock(
    display_app: Starlette, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether or not the right password got one of the checks, it neither clears the failures
    nor lifts the lock: the user is locked afterwards and stays locked for the whole period."""
    HashCounter(monkeypatch, delay=0.01)
    headers = [_basic("viewer", f"guess-{n:03d}-pw") for n in range(60)]
    headers.insert(30, _basic("viewer", "Viewer-pa55word"))
    headers += [_basic("viewer", f"guess-{n:03d}-pw") for n in range(60, 120)]

    asyncio.run(_get_all(display_app, headers))
    asyncio.run(_get_all(display_app, [_basic("viewer", f"more-{n}-pw") for n in range(10)]))
    clock.now += LOCKOUT_SECONDS - 1
    still_locked = asyncio.run(_get_all(display_app, [_basic("viewer", "Viewer-pa55word")]))[0]

    assert still_locked.status_code == 401


def test_a_success_does_not_lift_a_lock_of_a_cached_credential(
    display_app: Starlette, clock: FakeClock
) -> None:
    """A credential the cache already knows is refused while its user is locked."""
    ok = asyncio.run(_get_all(display_app, [_basic("viewer", "Viewer-pa55word")]))[0]
    assert ok.status_code == 200  # now cached
    asyncio.run(_get_all(display_app, [_basic("viewer", f"g-{n}-pw") for n in range(5)]))

    refused = asyncio.run(_get_all(display_app, [_basic("viewer", "Viewer-pa55word")]))[0]

    assert refused.status_code == 401


def test_hash_checks_run_in_a_bounded_number_of_slots(
    admin_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel logons of 40 made-up users never run more hash checks at once than the slots."""
    counter = HashCounter(monkeypatch, delay=0.02)
    app = create_app(admin_settings.replace(password_check_slots=2))

    answers = asyncio.run(
        _get_all(app, [_basic(f"made-up-{n}", "some-password") for n in range(40)])
    )

    assert {a.status_code for a in answers} == {401}
    assert counter.calls == 40
    assert counter.most_at_once == 2


def test_logons_that_wait_too_long_for_a_slot_get_503_with_retry_after(
    admin_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = HashCounter(monkeypatch, delay=0.3)
    app = create_app(
        admin_settings.replace(password_check_slots=1, password_check_wait_seconds=0.2)
    )

    answers = asyncio.run(
        _get_all(app, [_basic(f"made-up-{n}", "some-password") for n in range(10)])
    )

    busy = [a for a in answers if a.status_code == 503]
    assert busy, [a.status_code for a in answers]
    assert all(a.headers["retry-after"].isdigit() for a in busy)
    assert busy[0].json()["type"] == "RUNTIME_FAILURE"
    assert counter.calls < 10


@pytest.mark.parametrize(
    ("user", "password"),
    [("u" * (6 * 1024 * 1024), "pw-pw-pw-pw"), ("viewer", "p" * 100_000), ("bad\nname", "x" * 9)],
    ids=["6 MB name", "100 kB password", "control character"],
)
def test_an_impossible_credential_is_refused_before_any_lookup_hash_or_log(
    display_app: Starlette,
    lockout_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    user: str,
    password: str,
) -> None:
    counter = HashCounter(monkeypatch)
    audit_before = _audit_bytes(lockout_settings)
    lockout = display_app.state.services.authenticator.lockout

    answer = asyncio.run(_get_all(display_app, [_basic(user, password)]))[0]

    assert answer.status_code == 401
    assert answer.json()["type"] == "UNAUTHORIZED"
    assert len(answer.content) < 300
    assert counter.calls == 0
    assert _audit_bytes(lockout_settings) == audit_before
    assert len(lockout) == 0


def test_distinct_made_up_names_keep_the_audit_log_and_the_lockout_table_bounded(
    admin_settings: Settings,
) -> None:
    """Names at the maximum length: each failure adds one short line, never the whole name."""
    app = create_app(admin_settings)
    name = "n" * 128

    asyncio.run(_get_all(app, [_basic(f"{n:03d}{name[3:]}", "some-password") for n in range(40)]))

    lines = (admin_settings.data_dir / AUDIT_LOG.name).read_text().splitlines()
    assert max(len(line) for line in lines) < 500


def test_a_huge_description_is_not_copied_into_the_audit_log(admin_settings: Settings) -> None:
    app = create_app(admin_settings)
    with make_client(app, auth=(ADMINISTRATOR, ADMIN_PASSWORD)) as admin:
        assert admin.put(CONNECTOR, json={"description": "d" * 900_000}).status_code == 200

    assert _audit_bytes(admin_settings) < 2_000


@pytest.mark.slow
def test_memory_stays_bounded_under_200_parallel_bad_logons_at_production_strength(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """With the production Argon2 profile (64 MiB per check) and the default two check slots,
    200 parallel bad logons raise the server's peak memory by about two checks' worth, not 200;
    those that wait too long for a slot are answered 503."""
    server = server_factory(
        tmp_path / "flood",
        admin_password="Flood-admin-pa55",
        env={"OPENSCC_KDF_PROFILE": "production"},
    ).start()
    assert server.pid is not None

    figures = flood(server.url, server.certificate_path, server.pid, logons=200)

    print(f"logon flood: {figures}")
    assert set(figures.statuses) <= {401, 503}
    assert figures.statuses.get(401, 0) >= 2
    assert figures.peak_growth_mib < 2 * 64 + 96, figures


def test_concurrent_logons_with_the_same_credentials_share_one_hash_check(
    display_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 requests with the same user and password at once (a cold credential cache, as after
    its entry expires under load): exactly one Argon2 check runs, and every request gets in."""
    counter = HashCounter(monkeypatch, delay=0.05)

    answers = asyncio.run(_get_all(display_app, [_basic("viewer", "Viewer-pa55word")] * 20))

    assert [a.status_code for a in answers] == [200] * 20
    assert counter.calls == 1

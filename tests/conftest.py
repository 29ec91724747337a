"""Shared fixtures: a fresh app on a fresh data directory per test, clients, users, a real server.

The tests start a server in one of two ways: in process (``support.in_process.InProcessServer``,
behind every fixture below but the last two) or as a real process
(``support.server_process.ServerProcess``). Both give the Administrator ADMIN_PASSWORD unless a
test asks for a fresh instance.

    settings        Settings on tmp_path/"data" with the fast "test" KDF profile (initial state)
    fresh_server    an InProcessServer on ``settings`` (initial password, no HA role)
    app, client     its app and a TestClient for it (https://testserver)
    admin_settings  ``settings`` with OPENSCC_ADMIN_PASSWORD's effect: ADMIN_PASSWORD, role master
    admin_server    an InProcessServer on ``admin_settings``
    admin_app       its app
    admin           a TestClient on ``admin_app`` sending the Administrator's basic auth
    make_user       adds a user of a role to ``admin_app``; returns (name, password)
    users_by_role   one user of every role on ``admin_app``
    server_factory  makes ServerProcess objects (the real ``openscc serve``), stopped at teardown
    running_server  a started real server whose Administrator has ADMIN_PASSWORD

Constants and helpers live in ``support.apps``, ``support.in_process`` and
``support.server_process``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

# Lets test modules `from support.apps import ...` under --import-mode=importlib.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from openscc.auth.roles import ROLE_NAMES
from openscc.auth.users import ADMINISTRATOR
from openscc.settings import Settings
from support.apps import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    UserFactory,
    add_user,
    make_client,
)
from support.in_process import InProcessServer
from support.server_process import ServerProcess

# The replay of recorded Cloud Connector traffic reports its totals at the end of any run;
# fast_keys offers the pooled_rsa_keys fixture; ldap_server the ldap_directory fixture (a slapd).
pytest_plugins = ["support.replay_report", "support.fast_keys", "support.ldap_server"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", kdf_profile="test")


@pytest.fixture
def fresh_server(settings: Settings) -> Iterator[InProcessServer]:
    """A fresh instance (initial password, no HA role), in process."""
    with InProcessServer(settings.data_dir, password=None) as server:
        yield server


@pytest.fixture
def app(fresh_server: InProcessServer) -> Starlette:
    return fresh_server.app


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with make_client(app) as c:
        yield c


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.replace(admin_password=ADMIN_PASSWORD)


@pytest.fixture
def admin_server(admin_settings: Settings) -> Iterator[InProcessServer]:
    """A ready instance (password changed, HA role master), in process."""
    with InProcessServer(admin_settings.data_dir, password=ADMIN_PASSWORD) as server:
        yield server


@pytest.fixture
def admin_app(admin_server: InProcessServer) -> Starlette:
    return admin_server.app


@pytest.fixture
def admin(admin_app: Starlette) -> Iterator[TestClient]:
    """The Administrator of a ready instance (password changed, HA role master), by basic auth."""
    with make_client(admin_app, auth=(ADMINISTRATOR, ADMIN_PASSWORD)) as c:
        yield c


@pytest.fixture
def make_user(admin_app: Starlette) -> UserFactory:
    """Add a user of a role to the ready instance: make_user("sccdisplay") -> (name, password)."""

    def make(
        role: str, *, name: str | None = None, password: str = USER_PASSWORD
    ) -> tuple[str, str]:
        return add_user(admin_app, role, name=name, password=password)

    return make


@pytest.fixture
def client_of_role(
    admin_app: Starlette, make_user: Callable[..., tuple[str, str]]
) -> Iterator[Callable[[str], TestClient]]:
    """A client for a new user of a role, on the same instance as ``admin``."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = make_client(admin_app, auth=make_user(role))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def users_by_role(make_user: UserFactory) -> dict[str, tuple[str, str]]:
    """One user of every role on the ready instance, by technical role name."""
    return {role: make_user(role) for role in ROLE_NAMES}


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Make ServerProcess objects (not yet started); every one is stopped at the end of the test."""
    made: list[ServerProcess] = []

    def make(data_dir: Path | None = None, **options: object) -> ServerProcess:
        directory = data_dir or tmp_path / "server-data"
        server = ServerProcess(directory, **options)  # type: ignore[arg-type]
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def running_server(server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    """A started ``openscc serve`` whose Administrator has ADMIN_PASSWORD (HA role master)."""
    return server_factory().start()


@pytest.fixture(autouse=True)
def _processes_only_in_slow_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that starts a real process must be marked ``slow`` (``make test-fast`` leaves it out):
    outside such tests, starting one fails the test."""
    if request.node.get_closest_marker("slow") is not None:
        return

    def refuse(self: subprocess.Popen[bytes], args: object, *rest: object, **kw: object) -> None:
        raise AssertionError(f"{request.node.nodeid} starts a process ({args!r}): mark it slow")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)

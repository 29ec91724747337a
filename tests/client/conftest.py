"""Fixtures of the client and CLI tests (the helpers themselves are in client_harness.py)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client_harness import BACKUP_PASSWORD, InProcessServer


@pytest.fixture(scope="session")
def template_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised data directory, copied for each server (key generation is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "data"
    InProcessServer(path, url="https://template.test").close()
    return path


@pytest.fixture
def make_server(
    tmp_path: Path, template_data_dir: Path
) -> Iterator[Callable[..., InProcessServer]]:
    """Make in-process servers, each on its own data directory (a copy of the template) and URL."""
    made: list[InProcessServer] = []

    def make(name: str = "scc", *, mode: str = "restart") -> InProcessServer:
        data_dir = tmp_path / "servers" / name
        shutil.copytree(template_data_dir, data_dir)
        server = InProcessServer(data_dir, url=f"https://{name}.test:8443", mode=mode)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


@pytest.fixture
def server(make_server: Callable[..., InProcessServer]) -> InProcessServer:
    return make_server()


@pytest.fixture
def backup_file(server: InProcessServer, tmp_path: Path) -> Path:
    """A backup of ``server`` (password BACKUP_PASSWORD) taken through the client."""
    path = tmp_path / "backup.zip"

    async def take() -> None:
        async with server.client() as client:
            await client.create_backup(BACKUP_PASSWORD, path)

    asyncio.run(take())
    return path

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.in_process import InProcessServer


@pytest.fixture
def connector(tmp_path: Path) -> Iterator[InProcessServer]:
    c = InProcessServer(tmp_path / "a")
    yield c
    c.close()


@pytest.fixture
def other_connector(tmp_path: Path) -> Iterator[InProcessServer]:
    c = InProcessServer(tmp_path / "b", password="Other-admin-pa55")
    yield c
    c.close()

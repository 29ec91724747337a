from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.connector import InProcessConnector


@pytest.fixture
def connector(tmp_path: Path) -> Iterator[InProcessConnector]:
    c = InProcessConnector(tmp_path / "a")
    yield c
    c.close()


@pytest.fixture
def other_connector(tmp_path: Path) -> Iterator[InProcessConnector]:
    c = InProcessConnector(tmp_path / "b", password="other-admin-pw")
    yield c
    c.close()

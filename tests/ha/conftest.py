"""Fixtures of the high-availability tests (real processes; support.ha_pair):

nodes   the HaNodes a test started, closed after it
pair    a master and a shadow, connected and in sync (check 1 s, takeover after 3 s)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.ha_pair import HaNode, connect


@pytest.fixture
def nodes() -> Iterator[list[HaNode]]:
    made: list[HaNode] = []
    yield made
    for node in made:
        node.close()


@pytest.fixture
def pair(tmp_path: Path, nodes: list[HaNode]) -> tuple[HaNode, HaNode]:
    master = HaNode.start(tmp_path / "master", role="master")
    shadow = HaNode.start(tmp_path / "shadow", role="shadow")
    nodes += [master, shadow]
    connect(master, shadow)
    return master, shadow

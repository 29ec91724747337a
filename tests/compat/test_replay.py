"""Replays every recording of a real Cloud Connector against openscc (see ``replay.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from compat.replay import RECORDINGS, load, recording_files, replay, shape_differences
from support.apps import make_client
from support.in_process import InProcessServer

FILES = recording_files()  # raises at collection if the recordings are missing: never a skip


@pytest.fixture
def replay_client(tmp_path: Path) -> Iterator[TestClient]:
    with InProcessServer(tmp_path / "data") as server:
        yield make_client(server.app, auth=server.auth)


def test_recordings_are_there() -> None:
    """The replay covers the 56 recordings vendored in tests/compat/recordings."""
    assert len(FILES) == 56


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(RECORDINGS)) for p in FILES])
def test_recording_replays(
    path: Path, replay_client: TestClient, record_property: Callable[[str, object], None]
) -> None:
    """Every interaction answers as the real Cloud Connector did, except the tunnel-only ones,
    and those really differ (so the tunnel list cannot hide a regression)."""
    result = replay(replay_client, str(path.relative_to(RECORDINGS)), load(path))
    # Reported through the test report, so the summary works under pytest-xdist too.
    record_property("replay", result.summary())

    failures = [
        f"#{o.interaction.number} {o.interaction.method} {o.interaction.path}: {'; '.join(o.problems)}"
        for o in result.failures
    ]
    assert failures == []
    assert [o.interaction.number for o in result.outcomes if o.tunnel_only and o.matches] == []


def test_shape_comparison_catches_key_and_type_changes() -> None:
    """The comparator reports a missing key, an extra key, a changed type and a changed length."""
    recorded = {"port": "80", "count": 1, "items": [{"a": True}], "links": {}}
    actual = {"port": 80, "count": 1, "items": [], "links": {"self": {}}, "extra": None}

    problems = shape_differences(recorded, actual)

    assert problems == [
        "$: unexpected keys ['extra']",
        "$.port: integer instead of string",
        "$.items: 0 items instead of 1",
        "$.links: unexpected keys ['self']",
    ]

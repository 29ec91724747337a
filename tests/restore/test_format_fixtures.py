"""Every released archive format keeps restoring: one committed fixture per format version."""

from __future__ import annotations

from pathlib import Path

import pytest

from openscc.backup.manifest import FORMAT_VERSION
from support.in_process import InProcessServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "archives"
FIXTURE_PASSWORD = "fixture-password"


def test_there_is_a_fixture_for_every_format_version() -> None:
    """Releasing a new format version means committing its fixture."""
    present = sorted(p.name for p in FIXTURES.glob("format-*.zip"))

    assert present == [f"format-{v}.zip" for v in range(1, FORMAT_VERSION + 1)]


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("format-*.zip")), ids=lambda p: p.name)
def test_a_committed_fixture_archive_restores(connector: InProcessServer, fixture: Path) -> None:
    """The fixture restores onto a fresh instance and brings its description, users and passwords."""
    response = connector.restore(fixture.read_bytes(), password=FIXTURE_PASSWORD)

    assert response.status_code == 204, response.text
    connector.restart()
    viewer = connector.http.get(
        "/api/v1/configuration/connector", auth=("fixture-viewer", "fixture-viewer-pw")
    )
    assert viewer.status_code == 200
    assert viewer.json()["description"].endswith("fixture")

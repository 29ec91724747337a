"""docs/configuration-api.md lists every configuration endpoint, so the docs cannot drift."""

from __future__ import annotations

from pathlib import Path

from openscc.api.catalog import all_endpoints

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration-api.md"


def test_every_configuration_endpoint_is_documented() -> None:
    text = DOC.read_text()
    missing = [
        f"{e.method} {e.path}"
        for e in all_endpoints().endpoints
        if e.tag == "configuration"
        and f"| `{e.method}` | `{e.path.removeprefix('/api/v1/configuration')}` |" not in text
    ]

    assert "## Configuration API" in text
    assert missing == []

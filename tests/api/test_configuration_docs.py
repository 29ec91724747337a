"""docs/configuration-api.md lists every configuration endpoint as the code has it, so the docs
cannot drift (regenerate: python -m scripts.configuration_table --write docs/configuration-api.md)."""

from __future__ import annotations

from pathlib import Path

from scripts.configuration_table import published_section, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration-api.md"


def test_every_configuration_endpoint_is_documented() -> None:
    text = DOC.read_text()

    assert "## Configuration API" in text
    assert published_section(text) == render_markdown(), (
        "docs/configuration-api.md is out of date; run: "
        "python -m scripts.configuration_table --write docs/configuration-api.md"
    )


def test_the_table_has_a_row_for_each_configuration_endpoint() -> None:
    rows = [line for line in render_markdown().splitlines() if line.startswith("| `")]

    assert len(rows) > 100
    assert "| `GET` | `/subaccounts/corrupted` | 200 | every role |" in "\n".join(rows)

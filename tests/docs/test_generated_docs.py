"""Every generated section of docs/ is the one its code makes now (regenerate: make docs)."""

from __future__ import annotations

import pytest
from scripts.docs import GENERATED, Generated
from scripts.kinds_table import render_markdown as kinds_table

from openscc.kinds import ENTITY_KINDS


@pytest.mark.parametrize("generated", GENERATED, ids=lambda item: item.section)
def test_the_published_section_is_the_generated_one(generated: Generated) -> None:
    assert generated.published() == generated.render(), (
        f"{generated.doc} is out of date in section {generated.section}; run: make docs"
    )


def test_the_kinds_table_lists_every_kind_once() -> None:
    rows = [line.split("|")[2].strip(" `") for line in kinds_table().splitlines()[2:]]

    assert sorted(rows) == sorted(ENTITY_KINDS)

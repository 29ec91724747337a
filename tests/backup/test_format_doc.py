"""docs/backup-format.md names every kind of entity an archive may hold."""

from __future__ import annotations

import re
from pathlib import Path

from openscc.config.kinds import ENTITY_KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "backup-format.md"


def test_every_kind_is_in_the_table_of_kinds() -> None:
    section = DOC.read_text().split("### Entity kinds", 1)[1].split("###", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    listed = {name for line in table for name in re.findall(r"`(\w+)`", line)}

    assert listed == set(ENTITY_KINDS)

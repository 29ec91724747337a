"""Every generated section of the docs, written at once (``make docs``) or checked (``--check``,
what tests/docs/test_generated_docs.py does): each is made from the code it describes, so the
docs cannot drift from it.

    python -m scripts.docs           # rewrite every generated section
    python -m scripts.docs --check   # list the sections that are out of date; exit 1 if any
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts import (
    authorization_matrix,
    configuration_table,
    data_dir_table,
    doc_sections,
    documented_coverage,
    exit_codes_table,
    kinds_table,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Generated:
    section: str
    doc: str
    render: Callable[[], str]

    def published(self) -> str:
        return doc_sections.published_section((ROOT / self.doc).read_text(), self.section)

    def write(self) -> None:
        path = ROOT / self.doc
        path.write_text(doc_sections.replace_section(path.read_text(), self.section, self.render()))


GENERATED = (
    Generated(configuration_table.SECTION, "docs/configuration-api.md",
              configuration_table.render_markdown),
    Generated(authorization_matrix.SECTION, "docs/api.md", authorization_matrix.render_markdown),
    Generated(documented_coverage.SECTION, "docs/compatibility.md",
              documented_coverage.render_markdown),
    Generated(kinds_table.SECTION, kinds_table.DOC, kinds_table.render_markdown),
    Generated(data_dir_table.SECTION, data_dir_table.DOC, data_dir_table.render_markdown),
    Generated(exit_codes_table.SECTION, exit_codes_table.DOC, exit_codes_table.render_markdown),
)  # fmt: skip


def out_of_date() -> list[Generated]:
    return [item for item in GENERATED if item.published() != item.render()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check the generated sections of docs/.")
    parser.add_argument("--check", action="store_true", help="only report what is out of date")
    args = parser.parse_args(argv)
    stale = out_of_date()
    for item in stale:
        print(f"{item.doc}: section {item.section} {'is out of date' if args.check else 'written'}")
        if not args.check:
            item.write()
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

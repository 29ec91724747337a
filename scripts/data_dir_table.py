"""The table of the data directory in the README, made from openscc.layout.

python -m scripts.data_dir_table                   # print the table
python -m scripts.data_dir_table --write README.md
"""

from __future__ import annotations

from scripts import doc_sections

from openscc.layout import DATABASE, PLACES, Place

SECTION = "data-directory"
DOC = "README.md"


def _path(place: Place) -> str:
    if place is DATABASE:
        return f"`{place.name}` (+ `-wal`, `-shm`)"
    return f"`{place.name}/`" if place.folder else f"`{place.name}`"


def render_markdown() -> str:
    lines = ["| path | what |", "|---|---|"]
    lines += [f"| {_path(place)} | {place.what} |" for place in PLACES]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    return doc_sections.main(SECTION, render_markdown, DOC, argv)


if __name__ == "__main__":
    raise SystemExit(main())

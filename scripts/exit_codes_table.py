"""The command line's exit codes in docs/cli.md, made from the error classes (openscc.errors and
the few defined beside the code that raises them): each code, its classes and what they mean.

python -m scripts.exit_codes_table                      # print the table
python -m scripts.exit_codes_table --write docs/cli.md
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from scripts import doc_sections

from openscc import errors
from openscc.client import inventory
from openscc.instance import NotAnInstance
from openscc.store import locks

SECTION = "exit-codes"
DOC = "docs/cli.md"
# The modules whose errors reach the command line: openscc.errors, and the few defined beside
# the code that raises them (others, like a schedule target's, stay inside the server).
_MODULES = frozenset(
    {errors.__name__, inventory.__name__, NotAnInstance.__module__, locks.__name__}
)


def _classes(
    cls: type[errors.OpensccError] = errors.OpensccError,
) -> Iterator[type[errors.OpensccError]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _classes(sub)


def meaning(cls: type[errors.OpensccError]) -> str:
    text = " ".join((cls.__doc__ or "").split())
    if not text:
        raise ValueError(f"{cls.__name__} has no docstring: say what it means")
    return text.replace("``", "`")


def render_markdown() -> str:
    by_code: dict[int, list[type[errors.OpensccError]]] = defaultdict(list)
    for cls in _classes():
        if cls.__module__ in _MODULES:
            by_code[cls.exit_code].append(cls)
    lines = ["| code | kind (`openscc.errors` and beside) | meaning |", "|---|---|---|",
             "| 0 | | success |"]  # fmt: skip
    for code in sorted(by_code):
        classes = sorted(by_code[code], key=lambda c: (c.__module__ != errors.__name__, c.__name__))
        names = ", ".join(f"`{c.__name__}`" for c in classes)
        meanings = " ".join(meaning(c) for c in classes)
        lines.append(f"| {code} | {names} | {meanings} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    return doc_sections.main(SECTION, render_markdown, DOC, argv)


if __name__ == "__main__":
    raise SystemExit(main())

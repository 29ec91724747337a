"""Generated sections of the docs: the text between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``, and the command line every generator shares (print, or --write DOC)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def published_section(text: str, name: str) -> str:
    """The part of a document between the markers (ValueError if they are missing)."""
    start_marker, end_marker = _markers(name)
    start = text.index(start_marker) + len(start_marker)
    end = text.index(end_marker, start)
    return text[start:end].strip("\n") + "\n"


def replace_section(text: str, name: str, section: str) -> str:
    start_marker, end_marker = _markers(name)
    start = text.index(start_marker) + len(start_marker)
    end = text.index(end_marker, start)
    return text[:start] + "\n" + section + text[end:]


def main(name: str, render: Callable[[], str], doc: str, argv: list[str] | None = None) -> int:
    """Print the section, or with ``--write DOC`` put it between the markers of DOC."""
    parser = argparse.ArgumentParser(description=f"Print or publish the section {name}.")
    parser.add_argument("--write", type=Path, metavar="DOC", help=f"the document ({doc})")
    args = parser.parse_args(argv)
    section = render()
    if args.write is None:
        sys.stdout.write(section)
        return 0
    args.write.write_text(replace_section(args.write.read_text(), name, section))
    return 0

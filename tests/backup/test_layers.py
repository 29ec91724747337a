"""The backup package stays pure: no web stack, no clock, no extraction onto the filesystem."""

from __future__ import annotations

import ast
from pathlib import Path

import openscc.backup

PACKAGE = Path(openscc.backup.__file__).parent
SOURCES = sorted(PACKAGE.glob("*.py"))
# The archive format itself; other modules of the package (create, restore, ...) may use the clock.
FORMAT_MODULES = {
    "kdf.py",
    "crypto.py",
    "manifest.py",
    "members.py",
    "container.py",
    "writer.py",
    "archive.py",
}


def _trees(names: set[str] | None = None) -> dict[str, ast.Module]:
    return {
        path.name: ast.parse(path.read_text(encoding="utf-8"))
        for path in SOURCES
        if names is None or path.name in names
    }


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_sources_were_found() -> None:
    """Sanity: the scans below look at the real modules."""
    assert {path.name for path in SOURCES} >= FORMAT_MODULES


def test_backup_does_not_import_the_web_stack() -> None:
    """backup/ is importable and testable without starlette or uvicorn."""
    imported = set().union(*(_imported(tree) for tree in _trees().values()))

    assert imported.isdisjoint({"starlette", "uvicorn", "httpx", "click"})


def test_backup_never_extracts_members() -> None:
    """Nothing is ever extracted by name onto the filesystem: no extract() or extractall()."""
    calls = [
        (name, node.lineno)
        for name, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"extract", "extractall"}
    ]

    assert calls == []


def test_archive_format_does_not_read_the_clock() -> None:
    """Archive times come from the caller (created_at_ms), never from the clock."""
    clock_calls = {"time", "time_ns", "now", "utcnow", "today", "localtime", "monotonic"}
    calls = [
        (name, node.lineno)
        for name, tree in _trees(FORMAT_MODULES).items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in clock_calls
    ]

    assert calls == []

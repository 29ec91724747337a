"""Extract every documented REST operation from SAP's Cloud Connector documentation pages.

    python scripts/documented_operations.py DOCS_DIR > tests/compat/documented-operations.json

DOCS_DIR holds the pages of SAP-docs/btp-connectivity (``docs/1-connectivity-documentation``).
Each operation there is a table with the rows URI, Method, Request, Response, Errors and Roles,
under a section heading. The output lists, per operation: the page, the section's title, the
method, the path (with ``{name}`` for ``<name>``) and the roles, in the pages' order.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_SECTION = re.compile(r"^#{2,3} (.+)$")
# The monitoring page titles its operations with a bold line instead of a heading.
_BOLD_TITLE = re.compile(r"^\*\*([^*]+[^*:])\*\*(.*)$")
_AVAILABLE_SINCE = re.compile(r"\s*\(available as of [^)]*\)\s*$", re.I)
_ROW = re.compile(r"<td[^>]*>\s*(.*?)\s*</td>", re.S)
_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_PARAM = re.compile(r"<([^>]+)>")


def _cells(table: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [c.strip() for c in _ROW.findall(row)]
        if len(cells) == 2:
            rows[cells[0].strip("* ")] = cells[1]
    return rows


def _path(uri: str) -> tuple[str, str]:
    """The path (``{name}`` for ``<name>``) and the query, if the URI has one."""
    path, _, query = uri.strip().strip("`").strip().partition("?")
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", path), query


def operations(docs: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for page in sorted(docs.glob("*.md")):
        text = page.read_text()
        section = ""
        position = 0
        for match in _TABLE.finditer(text):
            for line in text[position : match.start()].splitlines():
                heading = _SECTION.match(line) or _BOLD_TITLE.match(line)
                if heading:
                    title = "".join(heading.groups()).replace("\\", "")
                    section = _AVAILABLE_SINCE.sub("", title.replace("**", "")).strip()
            position = match.end()
            rows = _cells(match.group(1))
            if "URI" not in rows or "Method" not in rows:
                continue
            # A few tables write the URI without backticks (and braces escaped), or the method
            # without emphasis.
            quoted = re.search(r"`([^`]+)`", rows["URI"])
            uri = quoted.group(1) if quoted else rows["URI"].replace("\\", "")
            methods = re.findall(r"\b(GET|POST|PUT|PATCH|DELETE)\b", rows["Method"])
            if not uri.startswith("/") or not methods:
                continue
            roles = [r.strip() for r in re.sub(r"<[^>]+>", "", rows.get("Roles", "")).split(",")]
            path, query = _path(uri)
            for method in methods:
                operation: dict[str, object] = {
                    "page": page.name,
                    "section": section,
                    "method": method,
                    "path": path,
                }
                if query:
                    operation["query"] = query
                operation["roles"] = [r for r in roles if r]
                found.append(operation)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    json.dump(operations(Path(argv[0])), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The table of configuration endpoints in docs/configuration-api.md, made from the endpoint table.

One row per route and method: path (relative to /api/v1/configuration where it lies below it),
success status, the roles that may call it and its summary. tests/api/test_configuration_docs.py
fails when the published table differs from the code:

    python scripts/configuration_table.py                              # print the table
    python scripts/configuration_table.py --write docs/configuration-api.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from openscc.api.catalog import all_endpoints
from openscc.api.endpoints import Endpoint, EndpointTable
from openscc.auth.roles import EVERY_ROLE, ROLE_NAMES

START_MARKER = "<!-- configuration-endpoints:start -->"
END_MARKER = "<!-- configuration-endpoints:end -->"
PREFIX = "/api/v1/configuration"


def _roles(endpoint: Endpoint) -> str:
    if endpoint.roles == EVERY_ROLE:
        return "every role"
    return ", ".join(f"`{name}`" for name in ROLE_NAMES if name in endpoint.roles)


def _path(endpoint: Endpoint) -> str:
    path = endpoint.path
    return path.removeprefix(PREFIX) if path.startswith(PREFIX + "/") else path


def render_markdown(table: EndpointTable | None = None) -> str:
    """The section between the markers: the configuration endpoints in table order."""
    lines = [
        "| method | path | status | roles | what |",
        "|---|---|---|---|---|",
    ]
    for endpoint in (table or all_endpoints()).endpoints:
        if endpoint.tag != "configuration":
            continue
        summary = endpoint.summary.replace("|", "\\|")
        lines.append(
            f"| `{endpoint.method}` | `{_path(endpoint)}` | {endpoint.status} | "
            f"{_roles(endpoint)} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def published_section(text: str) -> str:
    """The part of a document between the markers (ValueError if they are missing)."""
    start = text.index(START_MARKER) + len(START_MARKER)
    end = text.index(END_MARKER, start)
    return text[start:end].strip("\n") + "\n"


def replace_section(text: str, section: str) -> str:
    start = text.index(START_MARKER) + len(START_MARKER)
    end = text.index(END_MARKER, start)
    return text[:start] + "\n" + section + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print or publish the configuration endpoints.")
    parser.add_argument(
        "--write",
        type=Path,
        metavar="DOC",
        help="replace the section between the markers in DOC (docs/configuration-api.md)",
    )
    args = parser.parse_args(argv)
    section = render_markdown()
    if args.write is None:
        sys.stdout.write(section)
        return 0
    args.write.write_text(replace_section(args.write.read_text(), section))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

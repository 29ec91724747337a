"""The table of configuration endpoints in docs/configuration-api.md, made from the endpoint table.

One row per route and method: path (relative to /api/v1/configuration where it lies below it),
success status, the roles that may call it and its summary. tests/api/test_configuration_docs.py
fails when the published table differs from the code:

    python -m scripts.configuration_table                              # print the table
    python -m scripts.configuration_table --write docs/configuration-api.md
"""

from __future__ import annotations

from scripts import doc_sections

from openscc.api.http.catalog import all_endpoints
from openscc.api.http.endpoints import Endpoint, EndpointTable
from openscc.auth.roles import EVERY_ROLE, ROLE_NAMES

SECTION = "configuration-endpoints"
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
    return doc_sections.published_section(text, SECTION)


def main(argv: list[str] | None = None) -> int:
    return doc_sections.main(SECTION, render_markdown, "docs/configuration-api.md", argv)


if __name__ == "__main__":
    raise SystemExit(main())

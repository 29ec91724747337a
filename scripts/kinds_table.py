"""The table of entity kinds in docs/backup-format.md, made from the registry (openscc.kinds).

One row per kind, grouped as the registry groups them: how it is keyed, whether a shadow receives
it, the fields its secret holds (encrypted in ``secrets.jsonl.enc``) and whether a restore checks
it beyond its key. tests/docs/test_generated_docs.py fails when the published table differs:

    python -m scripts.kinds_table                               # print the table
    python -m scripts.kinds_table --write docs/backup-format.md
"""

from __future__ import annotations

from scripts import doc_sections

from openscc import kinds

SECTION = "entity-kinds"
DOC = "docs/backup-format.md"


def render_markdown() -> str:
    lines = [
        "| group | kind | keyed | a shadow receives it | sensitive fields | restore checks |",
        "|---|---|---|---|---|---|",
    ]
    for kind in kinds.KINDS.values():
        secrets = ", ".join(f"`{field}`" for field in kind.secrets) or "none"
        checks = "its key and its body" if kind.validator else "its key"
        lines.append(
            f"| {kind.group} | `{kind.name}` | {kind.scope.value} | "
            f"{'yes' if kind.replicated else 'no'} | {secrets} | {checks} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    return doc_sections.main(SECTION, render_markdown, DOC, argv)


if __name__ == "__main__":
    raise SystemExit(main())

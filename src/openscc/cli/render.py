"""Readable renderings of a backup's manifest and of a restore's dry-run report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openscc import versions_text
from openscc.backup.labels import kind_title
from openscc.backup.manifest import Manifest
from openscc.cli.output import format_ms, format_size
from openscc.cli.tables import print_table


def manifest_json(manifest: Manifest) -> dict[str, Any]:
    """The manifest for --json (without the salt and key check, which only the KDF needs)."""
    return {
        "product": manifest.product,
        "productVersion": manifest.product_version,
        "sccApiVersion": manifest.scc_api_version,
        "formatVersion": manifest.format_version,
        "createdAt": manifest.created_at,
        "createdAtText": format_ms(manifest.created_at),
        "sourceInstance": manifest.source_instance,
        "counts": dict(manifest.counts),
        "secretCounts": dict(manifest.secret_counts),
        "members": {n: {"size": d.size, "sha256": d.sha256} for n, d in manifest.members.items()},
        "kdf": {
            "name": manifest.kdf.name,
            "memoryKib": manifest.kdf.memory_kib,
            "iterations": manifest.kdf.iterations,
            "parallelism": manifest.kdf.parallelism,
        },
    }


def render_manifest(console: Console, path: Path, manifest: Manifest) -> None:
    facts = Table.grid(padding=(0, 2))
    facts.add_row("Archive", f"{escape(str(path))} ({format_size(path.stat().st_size)})")
    facts.add_row(
        "Made by", escape(versions_text(manifest.product_version, manifest.scc_api_version))
    )
    facts.add_row("Format version", str(manifest.format_version))
    facts.add_row("Created", format_ms(manifest.created_at))
    facts.add_row("Source instance", escape(manifest.source_instance))
    facts.add_row(
        "Key derivation",
        f"{escape(manifest.kdf.name)}, {format_size(manifest.kdf.memory_kib * 1024)}, "
        f"{manifest.kdf.iterations} iterations",
    )
    print_table(console, facts)
    print_table(console, counts_table(manifest))


def counts_table(manifest: Manifest) -> Table:
    table = Table(title="Entities per kind", title_justify="left")
    table.add_column("Kind")
    table.add_column("Entities", justify="right")
    table.add_column("With secrets", justify="right")
    for kind in sorted(manifest.counts):
        table.add_row(
            escape(kind), str(manifest.counts[kind]), str(manifest.secret_counts.get(kind, 0))
        )
    table.add_row(
        "[bold]total[/]",
        str(sum(manifest.counts.values())),
        str(sum(manifest.secret_counts.values())),
    )
    return table


def change_count(report: dict[str, Any]) -> int:
    """How many entities restoring would add, remove or change."""
    return sum(
        int(c.get("added", 0)) + int(c.get("removed", 0)) + int(c.get("changed", 0))
        for c in report.get("changes", {}).values()
    )


def render_dry_run(console: Console, report: dict[str, Any], *, file: Path, url: str) -> None:
    """The server's dry run: the backup, then per kind what restoring would change, then each change."""
    backup = report.get("backup", {})
    changes: dict[str, dict[str, Any]] = report.get("changes", {})
    total = change_count(report)
    verdict = (
        "would change nothing"
        if total == 0
        else f"would change {total} entit{'y' if total == 1 else 'ies'}"
    )
    console.print(
        f"Dry run: restoring [bold]{escape(str(file))}[/] on {escape(url)} {verdict}; nothing was changed."
    )
    facts = Table.grid(padding=(0, 2))
    if "createdAt" in backup:
        facts.add_row("Backup created", format_ms(int(backup["createdAt"])))
    if "sourceInstance" in backup:
        same = " (this instance)" if backup.get("sameInstance") else " (another instance)"
        facts.add_row("Source instance", escape(f"{backup['sourceInstance']}{same}"))
    if "productVersion" in backup:
        facts.add_row(
            "Made by",
            escape(
                versions_text(str(backup["productVersion"]), backup.get("sccApiVersion"))
                + f"; archive format {backup.get('formatVersion')}"
            ),
        )
    if "propsIni" in report:
        facts.add_row("props.ini", escape(str(report["propsIni"])))
    print_table(console, facts)
    for warning in report.get("warnings", []):
        console.print(f"[yellow]Warning[/] {escape(warning['code'])}: {escape(warning['message'])}")
    render_changes(console, changes, total, "What the restore would do")


def render_archive_diff(
    console: Console, report: dict[str, Any], first: Path, second: Path
) -> None:
    """Two archives compared offline: their facts, then what changes from the first to the
    second."""
    total = change_count(report)
    console.print(
        f"From [bold]{escape(str(first))}[/] to [bold]{escape(str(second))}[/]: "
        + (
            "nothing changes."
            if total == 0
            else f"{total} entit{'y' if total == 1 else 'ies'} change."
        )
    )
    facts = Table.grid(padding=(0, 2))
    for label, side in (("First", report["first"]), ("Second", report["second"])):
        facts.add_row(
            label,
            escape(
                f"created {format_ms(int(side['createdAt']))} on {side['sourceInstance']} "
                f"by openscc {side['productVersion']}"
            ),
        )
    print_table(console, facts)
    render_changes(console, report["changes"], total, "What changes")


def field_changes(changed: dict[str, Any]) -> list[str]:
    """A changed entity's fields as ``field: old → new`` (a secret only as "changed")."""
    lines = [
        f"{c['field']}: {_value(c.get('old'))} → {_value(c.get('new'))}"
        for c in changed.get("fieldChanges", [])
    ]
    if not lines and changed.get("fields"):  # an older server's report: names only
        lines.append("fields: " + ", ".join(changed["fields"]))
    if changed.get("secretChanged"):
        lines.append("secret: changed (not shown)")
    return lines


def _value(value: Any) -> str:
    return "(none)" if value is None else repr(value) if value == "" else str(value)


def render_changes(
    console: Console, changes: dict[str, dict[str, Any]], total: int, title: str
) -> None:
    """Per kind the counts, then each change (added, removed, changed with its fields)."""
    summary = Table(title="Changes per kind", title_justify="left")
    for column in ("Kind", "Added", "Removed", "Changed", "Unchanged"):
        summary.add_column(column, justify="left" if column == "Kind" else "right")
    for kind, entry in changes.items():
        summary.add_row(
            escape(kind_title(kind)),
            *(str(entry.get(c, 0)) for c in ("added", "removed", "changed", "unchanged")),
        )
    print_table(console, summary)
    if total == 0:
        return
    details = Table(title=title, title_justify="left")
    details.add_column("Kind")
    details.add_column("Change")
    details.add_column("Entity")
    details.add_column("Details")
    for kind, entry in changes.items():
        title = escape(kind_title(kind))
        for name in entry.get("addedNames") or entry.get("addedKeys", []):
            details.add_row(title, "[green]+ add[/]", escape(str(name)), "")
        for name in entry.get("removedNames") or entry.get("removedKeys", []):
            details.add_row(title, "[red]- remove[/]", escape(str(name)), "")
        for changed in entry.get("changedEntities", []):
            details.add_row(
                title,
                "[yellow]~ change[/]",
                escape(str(changed.get("name") or changed.get("key"))),
                escape("\n".join(field_changes(changed))),
            )
    print_table(console, details)
    truncated = [kind for kind, entry in changes.items() if entry.get("truncated")]
    if truncated:
        console.print(
            escape(f"Lists cut short for: {', '.join(truncated)} (the counts above are exact).")
        )

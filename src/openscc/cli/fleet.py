"""``openscc fleet``: back up every Cloud Connector listed in an inventory, in parallel."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openscc.cli.output import Output, error_json, format_size, json_option, run
from openscc.cli.remote import hooks
from openscc.cli.tables import print_table
from openscc.client.fleet import DEFAULT_CONCURRENCY, FleetResult, backup_fleet, fleet_exit_code
from openscc.client.inventory import InventoryEntry, load_inventory


@click.group("fleet")
def fleet_group() -> None:
    """Operate on many Cloud Connectors listed in a TOML inventory (see docs/cli.md)."""


@fleet_group.command("backup")
@click.option(
    "--inventory",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="TOML file listing the connectors and where to read their passwords.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the backups: OUT/<name>/<UTC timestamp>.zip.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    help="Keep only the newest N backups per connector (default: keep all).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="How many connectors to back up at the same time.",
)
@json_option
def fleet_backup_command(
    inventory: Path, out_dir: Path, keep: int | None, concurrency: int, as_json: bool
) -> None:
    """Back up every connector in the inventory, verify each, and print a summary.

    \b
    Passwords come from where the inventory says (password_env / password_file and
    backup_password_env / backup_password_file), never from the command line.
    Each backup is verified before it gets its final name; older ones beyond --keep are
    removed only after that. A failing connector does not stop the others. Exit code: 0 if
    all succeeded, else that of the first failed connector in inventory order (e.g. 7
    unreachable, 3 login failed, 12 wrong backup password).
    """
    output = Output(as_json)
    entries = run(output, lambda: _load(inventory))
    transports = hooks()

    async def action() -> list[FleetResult]:
        out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before any request
        with output.status(f"Backing up {len(entries)} connectors…"):
            return await backup_fleet(
                entries,
                out_dir,
                keep=keep,
                concurrency=concurrency,
                transport_for=lambda entry: transports.transport(entry.url),
            )

    results = run(output, action)
    code = fleet_exit_code(results)
    output.result(
        {"ok": code == 0, "exitCode": code, "connectors": [_result_json(r) for r in results]},
        lambda console: _summary(console, results),
    )
    if code:
        raise click.exceptions.Exit(code)


async def _load(inventory: Path) -> list[InventoryEntry]:
    return load_inventory(inventory)


def _result_json(result: FleetResult) -> dict[str, object]:
    return {
        "name": result.name,
        "url": result.url,
        "status": "ok" if result.ok else "failed",
        "path": None if result.path is None else str(result.path),
        "bytes": result.size,
        "seconds": round(result.seconds, 3),
        "verified": result.verified,
        "removed": [str(p) for p in result.removed],
        "error": None if result.error is None else error_json(result.error),
    }


def _summary(console: Console, results: list[FleetResult]) -> None:
    table = Table(title="Fleet backup", title_justify="left")
    table.add_column("Connector")
    table.add_column("Status")
    table.add_column("Size", justify="right")
    table.add_column("Duration", justify="right")
    table.add_column("File or error")
    for r in results:
        status = (
            "[green]ok[/]" if r.ok else f"[red]failed ({r.error.exit_code if r.error else 1})[/]"
        )
        size = format_size(r.size) if r.size is not None else "-"
        detail = str(r.path) if r.ok else (r.error.message if r.error else "failed")
        if r.removed:
            detail += f" (removed {len(r.removed)} older)"
        table.add_row(escape(r.name), status, size, f"{r.seconds:.1f} s", escape(detail))
    print_table(console, table)
    failed = sum(not r.ok for r in results)
    console.print(
        f"{len(results) - failed} of {len(results)} connectors backed up"
        + (f", {failed} failed." if failed else ".")
    )

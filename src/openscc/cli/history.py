"""``openscc backup history``: the safety backups a server took before each restore."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from openscc.backup.safety import list_safety_backups
from openscc.cli.options import data_dir_option
from openscc.cli.tables import print_table
from openscc.instance import NotAnInstance, require_instance


def _when(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@click.command("history")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def history_command(data_dir: Path, as_json: bool) -> None:
    """List the safety backups kept in the data directory, newest first.

    Each was taken just before a restore and is encrypted with that restore's backup password;
    restore one like any other backup to undo a restore.
    """
    try:
        require_instance(data_dir)
    except NotAnInstance as error:
        raise click.UsageError(error.message) from None
    backups = list_safety_backups(data_dir.resolve())
    rows = [
        {
            "file": str(b.path),
            "size": b.size,
            "createdAt": None if b.manifest is None else b.manifest.created_at,
            "productVersion": None if b.manifest is None else b.manifest.product_version,
            "entities": None if b.manifest is None else sum(b.manifest.counts.values()),
        }
        for b in backups
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no safety backups in {data_dir}")
        return
    table = Table(title="Safety backups (newest first)")
    for column in ("file", "created", "size", "entities", "version"):
        table.add_column(column)
    for row in rows:
        created = row["createdAt"]
        table.add_row(
            Path(str(row["file"])).name,  # whole: the table never cuts it
            "unreadable" if created is None else _when(int(created)),
            f"{row['size']:,} B",
            str(row["entities"]),
            str(row["productVersion"]),
        )
    print_table(Console(highlight=False, soft_wrap=True), table)

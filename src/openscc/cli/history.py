"""``openscc backup history``: the safety backups a server took before each restore, and before
it gave up the master role after a network split."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from openscc.backup.safety import SPLIT, SafetyBackup, list_safety_backups
from openscc.cli.options import data_dir_option
from openscc.cli.tables import print_table
from openscc.ha.split import split_password
from openscc.instance import NotAnInstance, load_master_key, require_instance


def _when(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@click.command("history")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--password-of",
    "password_of",
    metavar="FILE",
    help="Print the password of this split backup (its file name) and nothing else.",
)
def history_command(data_dir: Path, as_json: bool, password_of: str | None) -> None:
    """List the safety backups kept in the data directory, newest first.

    A "restore" backup was taken just before a restore and is encrypted with that restore's
    backup password; restore it like any other backup to undo the restore. A "split" backup is
    the configuration a master held when it gave up its role after a network split (the changes
    it accepted alone are in it); its password comes from this data directory's master key, and
    --password-of prints it.
    """
    try:
        require_instance(data_dir)
    except NotAnInstance as error:
        raise click.UsageError(error.message) from None
    backups = list_safety_backups(data_dir.resolve())
    if password_of is not None:
        _print_split_password(data_dir.resolve(), backups, password_of)
        return
    rows = [
        {
            "file": str(b.path),
            "takenBefore": b.taken_before,
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
    for column in ("file", "before", "created", "size", "entities", "version"):
        table.add_column(column)
    for row in rows:
        created = row["createdAt"]
        table.add_row(
            Path(str(row["file"])).name,  # whole: the table never cuts it
            str(row["takenBefore"]),
            "unreadable" if created is None else _when(int(created)),
            f"{row['size']:,} B",
            str(row["entities"]),
            str(row["productVersion"]),
        )
    print_table(Console(highlight=False, soft_wrap=True), table)


def _print_split_password(data_dir: Path, backups: list[SafetyBackup], name: str) -> None:
    found = next((b for b in backups if b.path.name == Path(name).name), None)
    if found is None:
        raise click.UsageError(f"no safety backup named {Path(name).name!r} in {data_dir}")
    if found.taken_before != SPLIT:
        raise click.UsageError(
            f"{found.path.name} was taken before a restore: its password is that restore's "
            "backup password"
        )
    # Only on request, and only to stdout: for --backup-password-file of a restore or a verify.
    click.echo(split_password(load_master_key(data_dir), found.path.name))

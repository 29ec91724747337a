"""``openscc backup drill``: restore a backup into a throwaway instance and compare."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.markup import escape

from openscc import __version__
from openscc.cli.options import EXISTING_FILE
from openscc.cli.output import Output, json_option, run
from openscc.cli.passwords import backup_password, backup_password_option
from openscc.client.offline import verify_backup
from openscc.schedules.drill import DrillReport, run_drill


@click.command("drill")
@backup_password_option
@click.argument("file", type=EXISTING_FILE)
@json_option
def drill_command(backup_password_file: Path | None, file: Path, as_json: bool) -> None:
    """Restore FILE into a throwaway openscc on loopback (a temporary data directory and a free
    port), start it on the restored configuration, and compare what it holds with the archive:
    exit 0 only if all of it came back. Nothing of this host's instance is touched."""
    output = Output(as_json)
    password = backup_password(backup_password_file)

    async def action() -> DrillReport:
        # The archive is checked first, as verify does: a wrong password or a damaged file ends
        # with its own exit code (12, 13, ...), before any throwaway instance starts.
        with output.status("Verifying…"):
            await asyncio.to_thread(verify_backup, file, password, product_version=__version__)
        with output.status("Restoring into a throwaway instance…"):
            return await asyncio.to_thread(run_drill, file, password)

    report = run(output, action)
    output.result(
        report.to_json(),
        lambda c: c.print(
            ("[green]Drill passed[/]" if report.passed else "[red]Drill failed[/]")
            + escape(f": {report.summary().split(': ', 1)[1]}")
        ),
    )
    if not report.passed:
        raise SystemExit(1)

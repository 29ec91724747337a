"""``openscc backup fleet``: the connectors a server's schedules back up (status), a schedule's
archives of its connector, and a restore that sends one back to that connector."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openscc.cli import options
from openscc.cli.confirm import confirm_restore
from openscc.cli.output import Output, format_size, json_option
from openscc.cli.passwords import read_secret
from openscc.cli.remote import Connection, connection_options
from openscc.cli.render import render_dry_run
from openscc.cli.schedules import api_call
from openscc.cli.tables import print_table
from openscc.errors import RestoreNotConfirmed

FLEET = "/api/openscc/v1/backup/fleet"
_COLOURS = {"ok": "green", "running": "cyan", "late": "yellow", "never": "yellow",
            "failing": "red"}  # fmt: skip


@click.group("fleet")
def fleet_status_group() -> None:
    """The connectors the server's schedules back up: their state, archives and restore."""


@fleet_status_group.command("status")
@connection_options
@json_option
def status_command(connection: Connection, as_json: bool) -> None:
    """One row per schedule: the connector, its state (ok, running, late, never, failing),
    last success, the newest archive's age, size, last error and next run."""
    output = Output(as_json)
    rows = api_call(connection, output, "GET", FLEET)

    def human(console: Console) -> None:
        if not rows:
            console.print("No backup schedules: the fleet is empty.")
            return
        table = Table(title="Fleet")
        for column in ("connector", "schedule", "state", "last success", "age", "size",
                       "next run", "last error"):  # fmt: skip
            table.add_column(column)
        for row in rows:
            state = row["state"]
            table.add_row(
                escape(row["connector"]), escape(row["schedule"]),
                f"[{_COLOURS.get(state, 'white')}]{state}[/]",
                row["lastSuccessAt"] or "never", _age(row["newestArchiveAgeSeconds"]),
                format_size(row["lastSize"]) if row["lastSize"] is not None else "-",
                row["nextRunAt"], escape(row["lastError"] or ""),
            )  # fmt: skip
        print_table(console, table)
        unsafe = sum(row["state"] in ("late", "never", "failing") for row in rows)
        console.print(f"{len(rows) - unsafe} of {len(rows)} schedules ok or running.")

    output.result(rows, human)


@fleet_status_group.command("archives")
@connection_options
@click.argument("schedule")
@json_option
def archives_command(connection: Connection, schedule: str, as_json: bool) -> None:
    """The archives of SCHEDULE's connector at its target, newest first."""
    output = Output(as_json)
    found = api_call(connection, output, "GET", f"{FLEET}/{quote(schedule, safe='')}/archives")

    def human(console: Console) -> None:
        table = Table(title=f"Archives of {escape(schedule)}")
        table.add_column("archive")
        table.add_column("made at")
        for entry in found:
            table.add_row(escape(entry["name"]), entry["createdAt"])
        print_table(console, table)

    output.result(found, human)


@fleet_status_group.command("restore")
@connection_options
@click.argument("schedule")
@click.argument("archive")
@click.option("--dry-run", is_flag=True, help="Only show what it would change (openscc sources).")
@click.option("--yes", is_flag=True, help="Do not ask; the connector restarts into the archive.")
@click.option(
    "--archive-password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The archive's backup password, if not the schedule's (it changed since).",
)
@json_option
def restore_command(
    connection: Connection,
    schedule: str,
    archive: str,
    dry_run: bool,
    yes: bool,
    archive_password_file: Path | None,
    as_json: bool,
) -> None:
    """Send ARCHIVE of SCHEDULE back to the connector it came from, which restarts into it.
    An openscc connector's dry run is shown first; then it asks at a terminal, naming the
    connector (a script passes --yes; the dry run's warnings need it too)."""
    output = Output(as_json)
    path = f"{FLEET}/{quote(schedule, safe='')}/restore"
    order: dict[str, Any] = {"archive": archive}
    if archive_password_file is not None:
        order["password"] = read_secret(archive_password_file, "", "--archive-password-file", "")
    preview: dict[str, Any] = api_call(connection, output, "POST", path, {**order, "dryRun": True})
    if dry_run:
        output.result(preview, lambda console: _preview(console, preview))
        return
    if not as_json:
        _preview(output.console, preview)
    warnings = preview.get("dryRun", {}).get("warnings", []) if preview["preview"] else []
    if warnings:
        confirm_restore(output, warnings, yes=yes)  # ends the command unless confirmed
    else:
        _confirm(output, preview["connector"], archive, yes=yes)
    answer: dict[str, Any] = api_call(connection, output, "POST", path, order)
    output.result(answer, lambda console: console.print(
        f"{escape(answer['connector'])} accepted {escape(archive)} and restarts."))  # fmt: skip


def _preview(console: Console, preview: dict[str, Any]) -> None:
    if preview["preview"]:
        render_dry_run(console, preview["dryRun"], file=Path(preview["archive"]),
                       url=preview["connector"])  # fmt: skip
    else:
        console.print(f"No preview: {escape(preview['why'])}.")


def _confirm(output: Output, connector: str, archive: str, *, yes: bool) -> None:
    if yes:
        return
    question = f"Restore {archive} on the connector {connector}? It restarts into it."
    if not options.at_terminal():
        output.fail(RestoreNotConfirmed(
            f"restoring {archive} on {connector} was not confirmed; nothing was sent. Run it "
            "again with --yes"
        ))  # fmt: skip
    if not click.confirm(question, default=False, err=True):
        output.fail(RestoreNotConfirmed("not confirmed; nothing was sent"))


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    hours, rest = divmod(seconds, 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h {rest // 60} min"

"""``openscc backup diff``: what restoring a backup on a server would change, or what changes from
one archive to another, offline."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import click

from openscc.cli.backup_restore import show_dry_run
from openscc.cli.options import EXISTING_FILE
from openscc.cli.output import Output, json_option, run
from openscc.cli.passwords import (
    OTHER_PASSWORD_ENV,
    backup_password,
    backup_password_option,
    other_backup_password,
)
from openscc.cli.remote import Connection, optional_connection_options
from openscc.cli.render import (
    change_count,
    render_archive_diff,
)
from openscc.client.offline import compare_archives, password_opens


@click.command("diff")
@optional_connection_options
@backup_password_option
@click.option(
    "--other-password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"With two files: read the second archive's password from this file. Otherwise it is "
    f"taken from ${OTHER_PASSWORD_ENV}, else it is the first's; only when that does not open "
    "the second archive is it asked for at a hidden prompt.",
)
@click.argument("files", type=EXISTING_FILE, nargs=-1, required=True)
@json_option
def diff_command(
    connection: Connection | None,
    backup_password_file: Path | None,
    other_password_file: Path | None,
    files: tuple[Path, ...],
    as_json: bool,
) -> None:
    """FILE with --url and --user: show what restoring FILE on the server would change (the
    server's dry run; changes nothing). A.zip B.zip: compare two archives offline, each with its
    own password (--backup-password-file for A, --other-password-file for B): what changes from A
    to B, per kind of entity (B's password is A's unless given; asked for only when A's does not
    open B)."""
    if len(files) == 2:
        _show_offline_diff(backup_password_file, other_password_file, files, as_json)
        return
    if len(files) != 1:
        raise click.UsageError("give one FILE (with --url and --user) or two archives to compare")
    if connection is None:
        raise click.UsageError(
            "--url and --user are needed to compare FILE with a server; "
            "give two archives to compare them offline"
        )
    show_dry_run(connection, backup_password_file, files[0], as_json)


def _show_offline_diff(
    first_password_file: Path | None,
    second_password_file: Path | None,
    files: tuple[Path, ...],
    as_json: bool,
) -> None:
    output = Output(as_json)
    first, second = files
    first_password = backup_password(first_password_file)
    # The second archive's password is the first's unless told otherwise (a file or the
    # variable); only when the first's does not open it is another asked for.
    if second_password_file is not None or os.environ.get(OTHER_PASSWORD_ENV):
        second_password = other_backup_password(second_password_file)
    else:
        second_password = first_password
        opened = run(output, lambda: asyncio.to_thread(password_opens, second, first_password))
        if not opened:
            second_password = other_backup_password(None)

    async def action() -> dict[str, Any]:
        with output.status("Comparing…"):
            return compare_archives(first, first_password, second, second_password)

    report = run(output, action)
    output.result(
        {**report, "changeCount": change_count(report)},
        lambda c: render_archive_diff(c, report, first, second),
    )

"""``openscc backup create``: download a backup of a server's configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from openscc.cli.output import Output, format_size, json_option, run
from openscc.cli.passwords import backup_password, backup_password_option
from openscc.cli.remote import Connection, connection_options


@click.command("create")
@connection_options
@backup_password_option
@click.option(
    "-o",
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the backup ZIP.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@json_option
def create_command(
    connection: Connection,
    backup_password_file: Path | None,
    output_path: Path,
    force: bool,
    as_json: bool,
) -> None:
    """Download a backup of the server's configuration to a file.

    The file appears only once it is complete and checked to be a whole ZIP; an interrupted
    download leaves nothing at the output path. The backup password (the archive's) encrypts
    the sensitive data; it is asked for twice at a prompt.
    """
    output = Output(as_json)
    if output_path.exists() and not force:
        raise click.UsageError(f"{output_path} exists; pass --force to replace it")
    if not output_path.parent.is_dir():
        raise click.UsageError(f"the folder {output_path.parent} does not exist")
    login = connection.login_password()
    password = backup_password(backup_password_file, confirm=True)
    client = connection.client(login)

    async def action() -> Any:
        async with client:
            with output.progress("Downloading") as progress:
                return await client.create_backup(
                    password, output_path, progress=progress, overwrite=True
                )

    backup = run(output, action)
    path = backup.path.resolve()
    output.result(
        {"path": str(path), "bytes": backup.size, "sha256": backup.sha256, "url": connection.url},
        lambda c: c.print(
            f"Backup of {escape(connection.url)} written to [bold]{escape(str(path))}[/] "
            f"({format_size(backup.size)}, {backup.size} bytes, SHA-256 {backup.sha256})"
        ),
    )

"""``openscc backup inspect`` and ``verify``: a backup read offline, without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from openscc import __version__
from openscc.cli.options import EXISTING_FILE
from openscc.cli.output import Output, format_ms, json_option, run
from openscc.cli.passwords import backup_password, backup_password_option
from openscc.cli.render import (
    manifest_json,
    render_manifest,
)
from openscc.client.offline import inspect_backup, verify_backup


@click.command("inspect")
@click.argument("file", type=EXISTING_FILE)
@json_option
def inspect_command(file: Path, as_json: bool) -> None:
    """Show a backup's manifest (offline, no password): versions, creation, source, counts.

    The manifest is not authenticated without the password; `openscc backup verify` checks it.
    """
    output = Output(as_json)

    async def action() -> Any:
        return inspect_backup(file)

    manifest = run(output, action)

    def human(console: Console) -> None:
        render_manifest(console, file, manifest)
        console.print("Not authenticated: `openscc backup verify` checks it with the password.")

    output.result(
        {
            "path": str(file),
            "bytes": file.stat().st_size,
            "authenticated": False,
            **manifest_json(manifest),
        },
        human,
    )


@click.command("verify")
@backup_password_option
@click.argument("file", type=EXISTING_FILE)
@json_option
def verify_command(backup_password_file: Path | None, file: Path, as_json: bool) -> None:
    """Check FILE completely offline, with the backup password: exit 0 only if it would restore.

    Checks the manifest's MAC, every member's size and SHA-256, decrypts every sensitive
    member, and checks every entity as a restore would.
    """
    output = Output(as_json)
    password = backup_password(backup_password_file)

    async def action() -> Any:
        with output.status("Verifying…"):
            return verify_backup(file, password, product_version=__version__)

    checked = run(output, action)
    manifest = checked.manifest
    output.result(
        {
            "path": str(file),
            "valid": True,
            "entities": checked.entities,
            "secrets": checked.secrets,
            "files": checked.files,
            "members": checked.members,
            **manifest_json(manifest),
        },
        lambda c: c.print(
            f"[green]OK[/]: {escape(str(file))} would restore. Manifest MAC valid, {checked.members} members' "
            f"SHA-256 match, {checked.entities} entities checked, {checked.secrets} secrets "
            f"decrypted. Created {format_ms(manifest.created_at)} on {escape(manifest.source_instance)}."
        ),
    )

"""``openscc backup``: create, restore, diff (on a server) and inspect, verify (offline)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from cryptography import x509
from rich.console import Console
from rich.markup import escape

from openscc import __version__
from openscc.cli.confirm import confirm_restore
from openscc.cli.history import history_command
from openscc.cli.output import Output, format_ms, format_size, json_option, run
from openscc.cli.remote import (
    OTHER_PASSWORD_ENV,
    Connection,
    backup_password,
    backup_password_option,
    connection_options,
    optional_connection_options,
    other_backup_password,
)
from openscc.cli.render import (
    change_count,
    manifest_json,
    render_archive_diff,
    render_changes,
    render_dry_run,
    render_manifest,
)
from openscc.cli.schedules import schedule_group
from openscc.client.offline import compare_archives, inspect_backup, verify_backup
from openscc.config import certs
from openscc.schedules.drill import DrillReport, run_drill

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
DEFAULT_WAIT_SECONDS = 300.0


@click.group("backup")
def backup_group() -> None:
    """Back up, check and restore a Cloud Connector's configuration.

    \b
    Passwords are never taken from the command line:
      login password   --password-file FILE, else $OPENSCC_PASSWORD, else a hidden prompt
      backup password  --backup-password-file FILE, else $OPENSCC_BACKUP_PASSWORD, else a prompt
    TLS certificates are verified; --ca-file trusts a private CA, --insecure skips the check.
    Exit codes (docs/cli.md): 0 ok, 1 other failure, 2 usage or invalid request,
    3 login failed, 4 forbidden, 5 not found, 6 conflict, 7 unreachable or TLS not trusted,
    8 restart timeout, 9 not a Cloud Connector, 10 backup refused, 11 not a backup,
    12 wrong backup password, 13 corrupt archive, 14 too new, 15 unsafe or too large.
    """


# Offline, on a server's data directory: the safety backups taken before each restore.
backup_group.add_command(history_command)
backup_group.add_command(schedule_group)


@backup_group.command("create")
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


@backup_group.command("restore")
@connection_options
@backup_password_option
@click.argument("file", type=EXISTING_FILE)
@click.option("--dry-run", is_flag=True, help="Only show what the restore would change.")
@click.option(
    "--subaccount",
    "subaccounts",
    multiple=True,
    metavar="REGION/ID",
    help="Restore only this subaccount (repeatable), everything else untouched; no restart "
    "(openscc's partial restore).",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_WAIT_SECONDS,
    show_default=True,
    help="Seconds to wait for the server to come back from its restart.",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Restore even when the dry run warns (for scripts; the warnings are still printed).",
)
@json_option
def restore_command(
    connection: Connection,
    backup_password_file: Path | None,
    file: Path,
    dry_run: bool,
    subaccounts: tuple[str, ...],
    wait_timeout: float,
    yes: bool,
    as_json: bool,
) -> None:
    """Restore FILE on the server, then wait until it is back from its restart.

    The server checks the whole archive and keeps a safety backup before it changes anything;
    it then restarts. Success is reported only once it answers again (exit 8 if it does not
    within --wait-timeout). With --dry-run nothing changes: the server's report of what the
    restore would change is shown instead. The dry run comes first in any case: when it warns
    (another host's certificate, the original instance still answering, ...), the warnings are
    shown and the restore goes on only once confirmed (--yes in scripts; exit 16 without).
    """
    if subaccounts:
        _restore_subaccounts(connection, backup_password_file, file, subaccounts, dry_run, as_json)
        return
    if dry_run:
        _show_dry_run(connection, backup_password_file, file, as_json)
        return
    output = Output(as_json)
    login = connection.login_password()
    password = backup_password(backup_password_file)
    client = connection.client(login)

    async def check() -> dict[str, Any]:
        async with connection.client(login) as checking:
            if not await checking.offers_dry_run():  # a Cloud Connector: nothing to ask first
                return {}
            with output.progress("Checking the archive (dry run)") as progress:
                return await checking.dry_run(file, password, progress=progress)

    confirm_restore(output, run(output, check).get("warnings", []), yes=yes)
    started = time.monotonic()

    async def action() -> str | None:
        async with client:
            with output.progress("Uploading") as progress:
                await client.restore(file, password, progress=progress)
            with output.status("The server is restarting to apply the restore…"):
                return await client.wait_until_back(wait_timeout)

    version = run(output, action)
    seconds = time.monotonic() - started
    certificate = _save_restored_certificate(file, client.restored_certificate)

    def human(console: Console) -> None:
        console.print(
            f"Restored {escape(str(file))} on {escape(connection.url)}; the server "
            f"restarted and is back "
            f"after {seconds:.1f} s."
        )
        if version is None:
            console.print(
                f"[yellow]Note:[/] the restored configuration no longer accepts the "
                f"login of {escape(connection.user)}; log in with its credentials."
            )
        if certificate is not None:
            console.print(
                "[yellow]Note:[/] the restored configuration has another UI certificate "
                f"(SHA-256 {certificate.fingerprint}); the server is back with it. It was "
                f"saved to {escape(str(certificate.path))}: trust it from now on with "
                f"--ca-file {escape(str(certificate.path))}."
            )

    output.result(
        {
            "restored": True,
            "path": str(file),
            "url": connection.url,
            "version": version,
            "loginAccepted": version is not None,
            "uiCertificateChanged": certificate is not None,
            "uiCertificateFile": None if certificate is None else str(certificate.path),
            "uiCertificateSha256": None if certificate is None else certificate.fingerprint,
            "seconds": round(seconds, 3),
        },
        human,
    )


@dataclass(frozen=True, slots=True)
class _SavedCertificate:
    path: Path
    fingerprint: str


def _save_restored_certificate(archive: Path, pem: str | None) -> _SavedCertificate | None:
    """Keep the UI certificate the server came back with beside the archive, for --ca-file."""
    if pem is None:
        return None
    certificate = x509.load_pem_x509_certificate(pem.encode())
    digest = certs.fingerprint(certificate)
    path = archive.with_name(f"{archive.stem}-ui-certificate.pem")
    path.write_text(pem)
    return _SavedCertificate(path=path, fingerprint=digest)


@backup_group.command("diff")
@optional_connection_options
@backup_password_option
@click.option(
    "--other-password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"With two files: read the second archive's password from this file. Otherwise it is "
    f"taken from ${OTHER_PASSWORD_ENV}, else asked for at a hidden prompt.",
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
    to B, per kind of entity."""
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
    _show_dry_run(connection, backup_password_file, files[0], as_json)


def _show_offline_diff(
    first_password_file: Path | None,
    second_password_file: Path | None,
    files: tuple[Path, ...],
    as_json: bool,
) -> None:
    output = Output(as_json)
    first, second = files
    first_password = backup_password(first_password_file)
    second_password = other_backup_password(second_password_file)

    async def action() -> dict[str, Any]:
        with output.status("Comparing…"):
            return compare_archives(first, first_password, second, second_password)

    report = run(output, action)
    output.result(
        {**report, "changeCount": change_count(report)},
        lambda c: render_archive_diff(c, report, first, second),
    )


def _restore_subaccounts(
    connection: Connection,
    backup_password_file: Path | None,
    file: Path,
    subaccounts: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
) -> None:
    output = Output(as_json)
    login = connection.login_password()
    password = backup_password(backup_password_file)
    client = connection.client(login)

    async def action() -> dict[str, Any]:
        async with client:
            with output.progress("Uploading") as progress:
                return await client.restore_subaccounts(
                    file, password, list(subaccounts), dry_run=dry_run, progress=progress
                )

    report = run(output, action)
    total = change_count(report)

    def human(console: Console) -> None:
        verb = "would change" if dry_run else "changed"
        console.print(
            f"Partial restore of {escape(', '.join(report['subaccounts']))} from "
            f"{escape(str(file))}: {verb} {total} entit{'y' if total == 1 else 'ies'}"
            + ("; nothing was changed." if dry_run else "; everything else is untouched.")
        )
        if report.get("safetyBackup"):
            console.print(f"Safety backup: {escape(report['safetyBackup'])}")
        render_changes(console, report["changes"], total, "What the restore " + verb)

    output.result({**report, "changeCount": total}, human)


def _show_dry_run(
    connection: Connection, backup_password_file: Path | None, file: Path, as_json: bool
) -> None:
    output = Output(as_json)
    login = connection.login_password()
    password = backup_password(backup_password_file)
    client = connection.client(login)

    async def action() -> dict[str, Any]:
        async with client:
            with output.progress("Uploading") as progress:
                return await client.dry_run(file, password, progress=progress)

    report = run(output, action)
    output.result(
        {**report, "changeCount": change_count(report)},
        lambda c: render_dry_run(c, report, file=file, url=connection.url),
    )


@backup_group.command("drill")
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


@backup_group.command("inspect")
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


@backup_group.command("verify")
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

"""``openscc backup restore``: restore a backup on a server (its dry run first, confirmed when it
warns), or only some subaccounts of it; and the dry run's report, which ``backup diff`` shows too."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from cryptography import x509
from rich.console import Console
from rich.markup import escape

from openscc.cli.confirm import confirm_restore
from openscc.cli.options import DEFAULT_WAIT_SECONDS, EXISTING_FILE
from openscc.cli.output import Output, json_option, run
from openscc.cli.passwords import backup_password, backup_password_option
from openscc.cli.remote import Connection, connection_options
from openscc.cli.render import (
    change_count,
    render_changes,
    render_dry_run,
)
from openscc.config import certs
from openscc.layout import SAFETY_BACKUPS


@click.command("restore")
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
        show_dry_run(connection, backup_password_file, file, as_json)
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
    certificate = save_restored_certificate(file, client.restored_certificate)

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


def save_restored_certificate(archive: Path, pem: str | None) -> _SavedCertificate | None:
    """Keep the UI certificate the server came back with beside the archive, for --ca-file; in
    the current folder when the archive is a safety backup (never inside a data directory)."""
    if pem is None:
        return None
    certificate = x509.load_pem_x509_certificate(pem.encode())
    digest = certs.fingerprint(certificate)
    folder = Path.cwd() if archive.resolve().parent.name == SAFETY_BACKUPS.name else archive.parent
    path = folder / f"{archive.stem}-ui-certificate.pem"
    path.write_text(pem)
    return _SavedCertificate(path=path, fingerprint=digest)


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


def show_dry_run(
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

"""``openscc backup schedule``: the server's backup schedules, managed remotely through
openscc's own API. The backups' password and the target's credentials are read like every
secret (a file, a variable or a prompt), never from the command line; the Azure target's options
are in schedule_azure.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from openscc.cli.output import Output, json_option, run
from openscc.cli.passwords import backup_password, backup_password_option, read_secret
from openscc.cli.remote import Connection, connection_options
from openscc.cli.schedule_azure import azure_options
from openscc.cli.schedule_sources import source_options
from openscc.cli.tables import print_table
from openscc.schedules.target_fields import location

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"
S3_SECRET_ENV = "OPENSCC_S3_SECRET_ACCESS_KEY"  # noqa: S105 - a variable name


@click.group("schedule")
def schedule_group() -> None:
    """Backups that run themselves on the server: list, add, remove, run, and their runs."""


def api_call(
    connection: Connection, output: Output, method: str, path: str, body: Any = None
) -> Any:
    client = connection.client(connection.login_password())

    async def action() -> Any:
        async with client:
            return await client.json_call(method, path, body)

    return run(output, action)


@schedule_group.command("list")
@connection_options
@json_option
def list_schedules(connection: Connection, as_json: bool) -> None:
    """The schedules: name, cron (UTC), target, retention."""
    output = Output(as_json)
    schedules = api_call(connection, output, "GET", SCHEDULES)

    def human(console: Console) -> None:
        if not schedules:
            console.print("No backup schedules.")
            return
        table = Table(title="Backup schedules")
        for column in ("name", "cron (UTC)", "target", "keep", "drill"):
            table.add_column(column)
        for s in schedules:
            where = location(s["target"])
            keep = ", ".join(f"{k} {v}" for k, v in s["keep"].items()) or "all"
            table.add_row(escape(s["name"]), s["cron"], escape(where), keep, str(s["drill"]))
        print_table(console, table)

    output.result(schedules, human)


@schedule_group.command("add")
@connection_options
@backup_password_option
@click.argument("name")
@click.option("--cron", required=True, help='5-field cron expression in UTC, e.g. "0 2 * * *".')
@click.option("--directory", type=str, help="Target: an absolute directory on the server's host.")
@click.option("--s3-bucket", help="Target: an S3 bucket.")
@click.option("--s3-prefix", default="", help="Key prefix in the bucket.")
@click.option("--s3-endpoint", default="", help="An S3-compatible endpoint (default: AWS).")
@click.option("--s3-region", default="", help="The bucket's region.")
@click.option(
    "--s3-access-key-id",
    default="",
    help=f"Stored with the schedule, with the secret key from --s3-secret-file or "
    f"${S3_SECRET_ENV}; without it, the server's AWS environment applies.",
)
@click.option("--s3-secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@azure_options
@click.option("--keep-last", type=int, default=0)
@click.option("--keep-daily", type=int, default=0)
@click.option("--keep-weekly", type=int, default=0)
@click.option("--keep-monthly", type=int, default=0)
@click.option("--drill", is_flag=True, help="Restore-drill each archive in a throwaway instance.")
@source_options
@json_option
def add_schedule(
    connection: Connection,
    backup_password_file: Path | None,
    name: str,
    cron: str,
    directory: str | None,
    s3_bucket: str | None,
    s3_prefix: str,
    s3_endpoint: str,
    s3_region: str,
    s3_access_key_id: str,
    s3_secret_file: Path | None,
    azure_target: dict[str, str] | None,
    keep_last: int,
    keep_daily: int,
    keep_weekly: int,
    keep_monthly: int,
    drill: bool,
    source: dict[str, str] | None,
    as_json: bool,
) -> None:
    """Add the schedule NAME: one target (--directory, --s3-bucket or --azure-account), the
    backups' password (--backup-password-file, $OPENSCC_BACKUP_PASSWORD or a prompt), retention
    (--keep-*); with --source, it backs up that Cloud Connector through its backup API instead of
    this server."""
    if [directory, s3_bucket, azure_target].count(None) != 2:
        raise click.UsageError("give one target: --directory, --s3-bucket or --azure-account")
    target: dict[str, str] = azure_target or {"type": "directory", "path": directory or ""}
    if s3_bucket is not None:
        target = {"type": "s3", "bucket": s3_bucket}
        for key, value in (("prefix", s3_prefix), ("endpoint", s3_endpoint), ("region", s3_region)):
            if value:
                target[key] = value
        if s3_access_key_id:
            target["accessKeyId"] = s3_access_key_id
            target["secretAccessKey"] = read_secret(
                s3_secret_file, S3_SECRET_ENV, "--s3-secret-file", "S3 secret access key"
            )
    keep = {"last": keep_last, "daily": keep_daily, "weekly": keep_weekly, "monthly": keep_monthly}
    body = {
        "name": name,
        "cron": cron,
        "target": target,
        "password": backup_password(backup_password_file, confirm=True),
        "keep": {k: v for k, v in keep.items() if v},
        "drill": drill,
        **({"source": source} if source else {}),
    }
    output = Output(as_json)
    added = api_call(connection, output, "POST", SCHEDULES, body)
    output.result(added, lambda c: c.print(f"added the schedule {escape(name)} ({added['cron']})"))


@schedule_group.command("remove")
@connection_options
@click.argument("name")
@json_option
def remove_schedule(connection: Connection, name: str, as_json: bool) -> None:
    """Remove the schedule NAME (its archives at the target stay)."""
    output = Output(as_json)
    api_call(connection, output, "DELETE", f"{SCHEDULES}/{quote(name, safe='')}")
    output.result({"removed": name}, lambda c: c.print(f"removed the schedule {escape(name)}"))


@schedule_group.command("run")
@connection_options
@click.argument("name")
@json_option
def run_schedule(connection: Connection, name: str, as_json: bool) -> None:
    """Run the schedule NAME now; `openscc backup schedule runs` shows how it went."""
    output = Output(as_json)
    started = api_call(connection, output, "POST", f"{SCHEDULES}/{quote(name, safe='')}/run")
    output.result(started, lambda c: c.print(f"started run {started['id']} of {escape(name)}"))


@schedule_group.command("runs")
@connection_options
@json_option
def list_runs(connection: Connection, as_json: bool) -> None:
    """The recent runs, newest first."""
    output = Output(as_json)
    runs = api_call(connection, output, "GET", RUNS)

    def human(console: Console) -> None:
        if not runs:
            console.print("No runs yet.")
            return
        table = Table(title="Scheduled backup runs (newest first)")
        for column in ("id", "schedule", "status", "started", "object", "size", "error"):
            table.add_column(column)
        for r in runs:
            table.add_row(
                r["id"], escape(r["schedule"]), r["status"], r["startedAt"],
                escape(r.get("object") or ""), str(r.get("size") or ""),
                escape(r.get("error") or ""),
            )  # fmt: skip
        print_table(console, table)

    output.result(runs, human)

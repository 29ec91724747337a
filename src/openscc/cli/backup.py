"""``openscc backup``: back up, check and restore; each command in a module of its own, imported
only when it runs (openscc.cli.lazy)."""

from __future__ import annotations

import click

from openscc.cli.lazy import LazyGroup

COMMANDS = {
    "create": ("openscc.cli.backup_create:create_command",
               "Download a backup of the server's configuration to a file."),
    "restore": ("openscc.cli.backup_restore:restore_command",
                "Restore FILE on the server, then wait until it is back from..."),
    "diff": ("openscc.cli.backup_diff:diff_command",
             "FILE with --url and --user: show what restoring FILE on the..."),
    "drill": ("openscc.cli.backup_drill:drill_command",
              "Restore FILE into a throwaway openscc on loopback (a..."),
    "inspect": ("openscc.cli.backup_offline:inspect_command",
                "Show a backup's manifest (offline, no password): versions,..."),
    "verify": ("openscc.cli.backup_offline:verify_command",
               "Check FILE completely offline, with the backup password: exit..."),
    "history": ("openscc.cli.history:history_command",
                "List the safety backups kept in the data directory, newest..."),
    "fleet": ("openscc.cli.backup_fleet:fleet_status_group",
              "The connectors the server's schedules back up: their state,..."),
    "schedule": ("openscc.cli.schedules:schedule_group",
                 "Backups that run themselves on the server: list, add, remove,..."),
}  # fmt: skip


@click.group("backup", cls=LazyGroup, lazy=COMMANDS)
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
    12 wrong backup password, 13 corrupt archive, 14 too new, 15 unsafe or too large,
    16 a restore's warnings not confirmed.
    """

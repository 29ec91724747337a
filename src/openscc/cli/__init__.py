"""The ``openscc`` command: server administration and backup tools.

Each command is imported only when it runs (openscc.cli.lazy): ``openscc --help`` loads neither
the server, the HTTP client nor any cryptography.
"""

from __future__ import annotations

import os

import click

from openscc import __version__
from openscc.cli.lazy import LazyGroup

COMMANDS = {
    "serve": ("openscc.cli.serve:serve_command",
              "Start the HTTPS server on the data directory, creating and..."),
    "stop": ("openscc.cli.stop:stop_command",
             "Stop the server started on a data directory (its pid file)."),
    "users": ("openscc.cli.users:users_group",
              "Manage local users (passwords are read from standard input or a..."),
    "backup": ("openscc.cli.backup:backup_group",
               "Back up, check and restore a Cloud Connector's configuration."),
    "fleet": ("openscc.cli.fleet:fleet_group",
              "Operate on many Cloud Connectors listed in a TOML inventory..."),
}  # fmt: skip


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.version_option(__version__, prog_name="openscc")
def cli() -> None:
    """openscc: an open-source SAP Cloud Connector administration server and backup tools."""


def main() -> None:
    # Every file the server or the CLI creates is private to its owner (the data directory's
    # files are 0600, its folders 0700), so a copy of the directory leaks nothing.
    os.umask(0o077)
    cli()

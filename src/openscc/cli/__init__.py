"""The ``openscc`` command: server administration and backup tools."""

from __future__ import annotations

import os

import click

from openscc import __version__
from openscc.cli.backup import backup_group
from openscc.cli.fleet import fleet_group
from openscc.cli.serve import serve_command
from openscc.cli.users import users_group


@click.group()
@click.version_option(__version__, prog_name="openscc")
def cli() -> None:
    """openscc: an open-source SAP Cloud Connector administration server and backup tools."""


cli.add_command(serve_command)
cli.add_command(users_group)
cli.add_command(backup_group)
cli.add_command(fleet_group)


def main() -> None:
    # Every file the server or the CLI creates is private to its owner (the data directory's
    # files are 0600, its folders 0700), so a copy of the directory leaks nothing.
    os.umask(0o077)
    cli()

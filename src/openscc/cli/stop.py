"""``openscc stop``: stop the server that serves one data directory, and only that one.

The server holds the data directory's server lock with its pid in it for as long as it runs
(openscc.store.locks): the pid is taken from there, never from a process listing, so the command
cannot stop another instance's server. SIGTERM lets it finish what it answers and stop its
background work within a few seconds.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import click

from openscc.cli.options import data_dir_option
from openscc.store.locks import running_server_pid


@click.command("stop")
@data_dir_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the server to end.",
)
def stop_command(data_dir: Path, timeout: float) -> None:
    """Stop the server started on a data directory (its pid file)."""
    pid = running_server_pid(data_dir)
    if pid is None:
        click.echo(f"No openscc serve runs on {data_dir}.")
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        click.echo(f"No openscc serve runs on {data_dir}.")
        return
    deadline = time.monotonic() + timeout
    while running_server_pid(data_dir) == pid:
        if time.monotonic() > deadline:
            raise click.ClickException(f"the server (pid {pid}) did not stop within {timeout:g} s")
        time.sleep(0.1)
    click.echo(f"Stopped the server on {data_dir} (pid {pid}).")

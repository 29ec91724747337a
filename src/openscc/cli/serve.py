"""``openscc serve``."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import click

from openscc.cli.options import data_dir_option
from openscc.errors import OpensccError
from openscc.instance import ensure_data_dir
from openscc.props import load_props
from openscc.server import serve
from openscc.settings import Settings


@click.command("serve")
@data_dir_option
@click.option("--host", help="Address to listen on (default: props.ini, else 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: props.ini, else 8443).")
def serve_command(data_dir: Path, host: str | None, port: int | None) -> None:
    """Start the HTTPS server on the data directory, creating and initialising it if empty.

    With OPENSCC_ADMIN_PASSWORD set at the first start of an empty data directory, the
    Administrator gets that password and the instance the HA role master.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        ensure_data_dir(data_dir)
        props = load_props(data_dir.resolve())
        settings = Settings.from_env(
            os.environ, data_dir=data_dir, host=host or props.host, port=port or props.port
        )
        serve(settings)
    except ValueError as error:  # a setting from the environment is invalid
        raise click.ClickException(str(error)) from None
    except OpensccError as error:  # the port is in use, say
        raise click.ClickException(error.message) from None
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise click.ClickException(f"cannot use the data directory {data_dir}: {reason}") from None

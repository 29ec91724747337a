"""Options several commands share."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
DEFAULT_WAIT_SECONDS = 300.0

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("./data"),
    show_default=True,
    envvar="OPENSCC_DATA_DIR",
    help="The instance's data directory.",
)


def at_terminal() -> bool:
    """Whether someone can answer a question (standard input is a terminal)."""
    return sys.stdin.isatty()


def read_secret(prompt: str, *, confirm: bool = False) -> str:
    """A password from standard input when piped, else from a hidden prompt; never from argv."""
    # sys.stdin, not click.get_text_stream (deprecated in Click 8.5); CliRunner swaps it too.
    stdin = sys.stdin
    if not stdin.isatty():
        value = stdin.readline().rstrip("\r\n")
    else:
        value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    if not value:
        raise click.UsageError("the password must not be empty")
    return value

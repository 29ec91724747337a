"""Passwords for the command line: from a file, else a variable, else a hidden prompt, never the
command line itself. Light on purpose: offline commands (``backup verify``) need no HTTP client."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from openscc.client.inventory import InventoryError, read_password_file

PASSWORD_ENV = "OPENSCC_PASSWORD"  # noqa: S105 - a variable name
BACKUP_PASSWORD_ENV = "OPENSCC_BACKUP_PASSWORD"  # noqa: S105 - a variable name
OTHER_PASSWORD_ENV = "OPENSCC_OTHER_BACKUP_PASSWORD"  # noqa: S105 - a variable name

F = TypeVar("F", bound=Callable[..., Any])


def backup_password_option(func: F) -> F:
    return click.option(
        "--backup-password-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"Read the backup (archive) password from the first line of this file. Otherwise "
        f"it is taken from ${BACKUP_PASSWORD_ENV}, else asked for at a hidden prompt.",
    )(func)


def backup_password(password_file: Path | None, *, confirm: bool = False) -> str:
    return _secret(
        password_file,
        BACKUP_PASSWORD_ENV,
        "--backup-password-file",
        "Backup password",
        confirm=confirm,
    )


def other_backup_password(password_file: Path | None) -> str:
    """The second archive's password, when two are compared."""
    return _secret(
        password_file, OTHER_PASSWORD_ENV, "--other-password-file", "Second backup's password"
    )


def read_secret(path: Path | None, env: str, option: str, prompt: str) -> str:
    """A secret from a file, else a variable, else a hidden prompt (never the command line)."""
    return _secret(path, env, option, prompt)


def _secret(path: Path | None, env: str, option: str, prompt: str, *, confirm: bool = False) -> str:
    if path is not None:
        try:
            return read_password_file(path)
        except InventoryError as error:
            raise click.BadParameter(error.message, param_hint=option) from None
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        answer: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
        if answer:
            return answer
    raise click.UsageError(
        f"no password: set {env}, pass {option} FILE, or run on a terminal to be asked"
    )

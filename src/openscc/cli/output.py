"""How the remote and offline commands talk to people and scripts: rich text, or JSON with --json.

Progress bars and spinners appear only when standard output is a terminal (and never with
--json), so logs and pipes get plain lines. Errors go to standard error as the server's message,
or, with --json, to standard output as an object; either way the exit code says which kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from openscc.client.progress import ProgressCallback, no_progress
from openscc.errors import (
    ClientError,
    NotAuthenticated,
    OpensccError,
    TlsVerificationFailed,
    WrongPassword,
)

T = TypeVar("T")

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object (result or error) for scripts."
)

_HINTS: tuple[tuple[type[OpensccError], str], ...] = (
    (
        TlsVerificationFailed,
        "trust the server's CA with --ca-file FILE, or use --insecure for a self-signed test server",
    ),
    (
        NotAuthenticated,
        "check --user and the login password; after repeated failed logins an account is "
        "locked for a while (openscc: 5 failures within 5 minutes lock it for 5 minutes), "
        "even with the right password",
    ),
    (
        WrongPassword,
        "use the password the archive was made with (a safety backup: the one given to its restore)",
    ),
)


class Output:
    """One command's output channel."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        # soft_wrap: a message stays one line in logs and pipes, whatever the width.
        self.console = Console(highlight=False, soft_wrap=True)
        self.errors = Console(stderr=True, highlight=False)
        self.interactive = not as_json and sys.stdout.isatty()

    @contextlib.contextmanager
    def progress(self, description: str) -> Iterator[ProgressCallback]:
        """A transfer progress bar on a terminal; a callback that does nothing elsewhere."""
        if not self.interactive:
            yield no_progress
            return
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task(description, total=None)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            yield update

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[None]:
        """A spinner on a terminal while something without a size takes time."""
        if not self.interactive:
            yield
            return
        with self.console.status(text):
            yield

    def result(self, data: dict[str, Any], human: Callable[[Console], None]) -> None:
        """Print the outcome: ``data`` as JSON, or ``human`` for people."""
        if self.as_json:
            click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
        else:
            human(self.console)

    def fail(self, error: OpensccError) -> NoReturn:
        """Report an error and end with its exit code."""
        if self.as_json:
            click.echo(json.dumps({"error": error_json(error)}, indent=2, sort_keys=True))
        else:
            self.errors.print(f"[bold red]Error:[/] {escape(error.message)}", soft_wrap=True)
            for cls, hint in _HINTS:
                if isinstance(error, cls):
                    self.errors.print(f"Hint: {hint}", soft_wrap=True)
                    break
        raise click.exceptions.Exit(error.exit_code)


def error_json(error: OpensccError) -> dict[str, Any]:
    return {
        "kind": type(error).__name__,
        "type": error.type,
        "message": error.message,
        "exitCode": error.exit_code,
    }


def run(output: Output, action: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one command's async body, turning openscc and local file errors into exit codes."""
    try:
        return asyncio.run(action())
    except OpensccError as error:
        output.fail(error)
    except OSError as error:
        output.fail(ClientError(describe_os_error(error)))


def describe_os_error(error: OSError) -> str:
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def format_size(size: int) -> str:
    """Bytes for people: 512 B, 4.5 KiB, 12.0 MiB."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def format_ms(epoch_ms: int) -> str:
    """Epoch milliseconds as an ISO 8601 UTC time."""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

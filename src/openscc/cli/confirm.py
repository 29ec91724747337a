"""A restore with warnings (the dry run's move preflight) goes on only once someone said so: at a
terminal, a question; in a script, ``--yes``; with neither, a refusal that lists the warnings."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from openscc.cli import options
from openscc.cli.output import Output
from openscc.errors import RestoreNotConfirmed


def show_warnings(output: Output, warnings: list[dict[str, Any]]) -> None:
    """Each warning as a sentence with what to do, on standard error."""
    for item in warnings:
        output.errors.print(
            f"[yellow]Warning[/] {escape(str(item.get('code', '')))}: "
            f"{escape(str(item.get('message', '')))}."
        )
        if item.get("advice"):
            output.errors.print(f"  What to do: {escape(str(item['advice']))}")


def confirm_restore(output: Output, warnings: list[dict[str, Any]], *, yes: bool) -> None:
    """Return to go on; end the command with RestoreNotConfirmed (exit 16) otherwise."""
    try:
        _confirm(output, warnings, yes=yes)
    except RestoreNotConfirmed as error:
        output.fail(error)


def _confirm(output: Output, warnings: list[dict[str, Any]], *, yes: bool) -> None:
    if not warnings:
        return
    show_warnings(output, warnings)
    if yes:
        return
    codes = ", ".join(str(item.get("code", "")) for item in warnings)
    if not options.at_terminal():
        raise RestoreNotConfirmed(
            f"the dry run warns ({codes}); nothing was changed. Run it again with --yes to "
            "restore anyway"
        )
    if not click.confirm("Restore anyway?", default=False, err=True):
        raise RestoreNotConfirmed(f"not confirmed ({codes}); nothing was changed")

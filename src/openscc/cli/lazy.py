"""Command groups that import a command only when it runs.

Scripts and fleets call ``openscc`` hundreds of times: a command must not pay for the server,
the HTTP client or the cryptography it does not use. A LazyGroup names each command's module and
its one-line help; ``--help`` lists them from those lines alone, and only the command invoked is
imported (click's documented pattern for lazy subcommands, with the help kept beside the name).
"""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **options: Any) -> None:
        """``lazy``: command name -> ("module:attribute", its one-line help)."""
        super().__init__(*args, **options)
        self._lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._lazy:
            return super().get_command(ctx, cmd_name)
        where, _help = self._lazy[cmd_name]
        module_name, attribute = where.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{where} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self._lazy[name][1]) for name in sorted(self._lazy)]
        rows += [
            (name, command.get_short_help_str())
            for name, command in sorted(self.commands.items())
            if name not in self._lazy and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))

"""Tables that never cut a value short.

On a terminal a table is drawn and a long path or identifier wraps inside its cell. Anywhere else
(a pipe, a cron log, a file) each row is one line of tab-separated fields, with a header line:
nothing is cut or wrapped, so a script or a reader of the log gets every value whole.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text


def print_table(console: Console, table: Table) -> None:
    if console.is_terminal:
        for column in table.columns:
            column.overflow = "fold"
            column.no_wrap = False
        console.print(table)
        return
    # Written as they are: the console would expand the tabs and could wrap the lines.
    lines = [_plain(table.title)] if table.title else []
    if table.show_header:
        lines.append("\t".join(_plain(column.header) for column in table.columns))
    cells = [[_plain(cell) for cell in column.cells] for column in table.columns]
    lines += ["\t".join(column[row] for column in cells) for row in range(table.row_count)]
    console.file.write("".join(line + "\n" for line in lines))


def _plain(cell: RenderableType | str) -> str:
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    return str(cell)

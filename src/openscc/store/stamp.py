"""The store's change stamp, read without touching the connection that does the store's work."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path


class ChangeStamp:
    """A number that differs after any commit to the database, by this process or another
    (``openscc users`` beside the server): SQLite's ``data_version`` on a connection of its own.

    It is read on the event loop for every request that may use a cached answer, so it has its
    own connection: the store's connection may be busy in the store thread. Reading
    ``data_version`` takes no lock and waits for nothing, but it is the largest cost of a cached
    request; within one turn of the event loop (requests that arrived together) it is read once:
    those requests are concurrent, and a commit between them may land on either side.
    """

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._cursor = self._conn.cursor()
        self._this_turn: int | None = None

    def current(self) -> int:
        if self._this_turn is not None:
            return self._this_turn
        row = self._cursor.execute("PRAGMA data_version").fetchone()
        value = int(row[0])
        try:
            asyncio.get_running_loop().call_soon(self._forget)
            self._this_turn = value
        except RuntimeError:
            pass  # no event loop: read every time
        return value

    def _forget(self) -> None:
        self._this_turn = None

    def close(self) -> None:
        self._conn.close()

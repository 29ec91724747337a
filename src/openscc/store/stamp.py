"""The store's change stamp, read without touching the connection that does the store's work."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class ChangeStamp:
    """A number that differs after any commit to the database, by this process or another
    (``openscc users`` beside the server): SQLite's ``data_version`` on a connection of its own.

    It is read on the event loop for every request that may use a cached answer, so it has its
    own connection: the store's connection may be busy in the store thread. Reading
    ``data_version`` takes no lock and waits for nothing.
    """

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def current(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()

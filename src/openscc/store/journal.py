"""The change journal: every committed change to a replicated entity, in order, for a shadow.

The store appends one row per change in the same transaction as the change itself, so the journal
never holds a change that was rolled back nor misses one that was committed. Each row is the
operation as the store performed it; a shadow replays them in ``seq`` order. Secrets stay sealed
under the instance's master key, as in the entity table.

The journal has a *generation*: a random id that changes whenever its history no longer continues
the one a shadow may hold (a new database after a restore, a takeover). A shadow that asks for
changes of another generation, or older than the journal keeps, must sync the whole configuration
again.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from openscc.store import instance_values

PUT = "put"  # kind, key, parent, body, secret: the whole entity
BODY = "body"  # kind, key, body: the body only (its secret and place stay)
DELETE = "delete"  # kind, key
DELETE_CHILDREN = "delete_children"  # kind, key (the parent)
DELETE_SUBTREE = "delete_subtree"  # key: every entity below it
OPERATIONS = (PUT, BODY, DELETE, DELETE_CHILDREN, DELETE_SUBTREE)
# How many changes are kept: a shadow further behind syncs the whole configuration again.
KEEP = 100_000
_GENERATION = "ha_generation"


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    op: str
    kind: str | None
    key: str
    parent: str | None
    body: str | None  # JSON text
    sealed: bytes | None  # the secret, sealed under the master key


class ChangeJournal:
    """Appends to the journal on the store's connection; the store calls it inside its
    transactions. ``replicated(kind, key)`` decides which entities it records."""

    def __init__(self, conn: sqlite3.Connection, replicated: Callable[[str, str], bool]) -> None:
        self._conn = conn
        self._replicated = replicated
        self._wrote = False
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def records(self, kind: str | None, key: str) -> bool:
        return kind is None or self._replicated(kind, key)

    def append(
        self,
        op: str,
        kind: str | None,
        key: str,
        parent: str | None = None,
        body: str | None = None,
        sealed: bytes | None = None,
    ) -> None:
        if not self.records(kind, key):
            return
        self._conn.execute(
            "INSERT INTO ha_change (op, kind, key, parent, body, secret) VALUES (?, ?, ?, ?, ?, ?)",
            (op, kind, key, parent, body, sealed),
        )
        self._wrote = True

    def restart(self) -> None:
        """Begin a new history (after changes that were not journaled one by one)."""
        new_generation(self._conn)
        self._wrote = True

    def rolled_back(self) -> None:
        self._wrote = False

    def committed(self) -> None:
        """After the store's commit: tell those waiting for changes."""
        if not self._wrote:
            return
        self._wrote = False
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after each commit that added changes; returns the way to stop."""
        with self._lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop


def generation(conn: sqlite3.Connection) -> str:
    """The journal's generation, made on first use."""
    known = instance_values.read(conn, _GENERATION)
    return known if known is not None else new_generation(conn)


def new_generation(conn: sqlite3.Connection) -> str:
    """Start a new history: a new generation and an empty journal (call in a transaction, or
    alone)."""
    value = secrets.token_hex(16)
    instance_values.write(conn, _GENERATION, value)
    conn.execute("DELETE FROM ha_change")
    return value


def last_seq(conn: sqlite3.Connection) -> int:
    """The seq of the newest change ever journaled, whether or not it was pruned since: the
    journal's AUTOINCREMENT keeps it (a pruned journal must not look like an empty history, or
    a shadow that has every change would be told to sync the whole configuration again)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ha_change'").fetchone()
    return 0 if row is None else int(row[0])


def continues(conn: sqlite3.Connection, generation_seen: str, after: int) -> bool:
    """Whether a shadow at (``generation_seen``, ``after``) can follow from this journal: the
    same history, not beyond its end, and no change it lacks pruned."""
    return generation_seen == generation(conn) and first_kept(conn) <= after <= last_seq(conn)


def first_kept(conn: sqlite3.Connection) -> int:
    """The oldest seq the journal still has minus one: a shadow at or after it can follow."""
    row = conn.execute("SELECT min(seq) FROM ha_change").fetchone()
    return int(row[0]) - 1 if row[0] is not None else last_seq(conn)


def changes_after(conn: sqlite3.Connection, seq: int, limit: int) -> list[Change]:
    rows = conn.execute(
        "SELECT seq, op, kind, key, parent, body, secret FROM ha_change "
        "WHERE seq > ? ORDER BY seq LIMIT ?",
        (seq, limit),
    ).fetchall()
    return [Change(*row) for row in rows]


def prune(conn: sqlite3.Connection, *, keep: int = KEEP, before: int | None = None) -> int:
    """Forget changes: all below ``before`` (what the shadow has), and beyond the newest
    ``keep`` ones in any case."""
    newest = last_seq(conn)
    limit = newest - keep
    if before is not None:
        limit = max(limit, before)
    cursor = conn.execute("DELETE FROM ha_change WHERE seq <= ?", (limit,))
    return cursor.rowcount

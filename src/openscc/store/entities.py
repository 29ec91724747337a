"""The configuration as typed-by-kind entities in one SQLite table.

Every kind of configuration entity (subaccount, system mapping, resource, user, ...) is a row with a
JSON ``body`` of its non-sensitive fields and a ``secret`` sealed under the master key. Keeping them
in one table is what lets a backup contain every kind there is, now and later, without a list to
forget to update. ``seq`` keeps creation order, which the API's lists preserve.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from cryptography.exceptions import InvalidTag

from openscc.errors import DamagedStore
from openscc.kinds import KEY_SEPARATOR
from openscc.store import journal
from openscc.store.journal import ChangeJournal
from openscc.store.records import EntityRecord, encode_body
from openscc.store.sealing import SecretSealer


class EntityStore:
    """Reads and writes entities; one writer at a time, readers see committed state."""

    def __init__(
        self, conn: sqlite3.Connection, sealer: SecretSealer, journal: ChangeJournal | None = None
    ) -> None:
        self._conn = conn
        self._sealer = sealer
        self._lock = threading.RLock()
        self._depth = 0
        # Records every change to a replicated entity, in the change's transaction (the
        # instance's own store has one; snapshots and a restore's staging store do not).
        self._journal = journal

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    @property
    def journal(self) -> ChangeJournal | None:
        return self._journal

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so they are applied together or not at all (nests)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                if self._journal is not None:
                    self._journal.rolled_back()
                raise
            else:
                self._conn.execute("COMMIT")
                if self._journal is not None:
                    self._journal.committed()
            finally:
                self._depth = 0

    def _record(self, row: tuple[Any, ...], with_secret: bool) -> EntityRecord:
        kind, key, parent, body, sealed = row
        secret = None
        if with_secret and sealed is not None:
            try:
                secret = self._sealer.unseal(kind, key, sealed)
            except (InvalidTag, ValueError) as error:
                raise DamagedStore(
                    f"the secret of {kind} {key.replace(KEY_SEPARATOR, '/')!r} does not open "
                    "under the master key (changed outside openscc); delete or restore it"
                ) from error
        return EntityRecord(kind=kind, key=key, parent=parent, body_json=body, secret=secret)

    def get(self, kind: str, key: str, *, with_secret: bool = False) -> EntityRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT kind, key, parent, body, secret FROM entity WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchone()
        return None if row is None else self._record(row, with_secret)

    def exists(self, kind: str, key: str) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM entity WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return row is not None

    def children(
        self, kind: str, parent: str | None, *, with_secret: bool = False
    ) -> list[EntityRecord]:
        """Entities of ``kind`` under ``parent`` (None: top-level ones), in creation order."""
        with self._lock:
            if parent is None:
                rows = self._conn.execute(
                    "SELECT kind, key, parent, body, secret FROM entity "
                    "WHERE kind = ? AND parent IS NULL ORDER BY seq",
                    (kind,),
                ).fetchall()
            else:
                rows = self._conn.execute(
                    "SELECT kind, key, parent, body, secret FROM entity "
                    "WHERE kind = ? AND parent = ? ORDER BY seq",
                    (kind, parent),
                ).fetchall()
        return [self._record(row, with_secret) for row in rows]

    def put(self, record: EntityRecord) -> None:
        """Insert or replace an entity; a replaced entity keeps its place in lists."""
        sealed = (
            None
            if record.secret is None
            else self._sealer.seal(record.kind, record.key, record.secret)
        )
        with self.transaction():
            self._conn.execute(
                "INSERT INTO entity (kind, key, parent, seq, body, secret) VALUES "
                "(?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM entity), ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET "
                "parent = excluded.parent, body = excluded.body, secret = excluded.secret",
                (record.kind, record.key, record.parent, record.body_json, sealed),
            )
            if self._journal is not None:
                self._journal.append(
                    journal.PUT, record.kind, record.key, record.parent, record.body_json, sealed
                )

    def update_body(self, kind: str, key: str, body: dict[str, Any]) -> bool:
        """Replace an entity's body only: its parent, place in lists and secret stay as they
        are (so a body change never needs, or risks, the secret). False if there is no entity."""
        text = encode_body(body)
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE entity SET body = ? WHERE kind = ? AND key = ?", (text, kind, key)
            )
            if cursor.rowcount and self._journal is not None:
                self._journal.append(journal.BODY, kind, key, body=text)
        return cursor.rowcount > 0

    def delete(self, kind: str, key: str) -> bool:
        with self.transaction():
            cursor = self._conn.execute(
                "DELETE FROM entity WHERE kind = ? AND key = ?", (kind, key)
            )
            if cursor.rowcount and self._journal is not None:
                self._journal.append(journal.DELETE, kind, key)
        return cursor.rowcount > 0

    def delete_children(self, kind: str, parent: str) -> int:
        with self.transaction():
            cursor = self._conn.execute(
                "DELETE FROM entity WHERE kind = ? AND parent = ?", (kind, parent)
            )
            if cursor.rowcount and self._journal is not None:
                self._journal.append(journal.DELETE_CHILDREN, kind, parent)
        return cursor.rowcount

    def delete_subtree(self, key: str) -> int:
        """Delete every entity, of any kind, whose key lies below ``key``."""
        low = key + KEY_SEPARATOR
        high = key + chr(ord(KEY_SEPARATOR) + 1)
        with self.transaction():
            cursor = self._conn.execute(
                "DELETE FROM entity WHERE key >= ? AND key < ?", (low, high)
            )
            if cursor.rowcount and self._journal is not None:
                self._journal.append(journal.DELETE_SUBTREE, None, key)
        return cursor.rowcount

    def change_stamp(self) -> tuple[int, int] | None:
        """A value that differs after any change to the database, by this connection (its
        ``total_changes``, rolled-back changes too) or by any other (``PRAGMA data_version``).

        None while a transaction is open: what is read then may yet be rolled back, so it must
        not be cached. Anything read after taking a stamp is at least as new as the stamp.
        """
        with self._lock:
            if self._conn.in_transaction:
                return None
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            return int(version), self._conn.total_changes

    def unreadable(self, kind: str) -> list[str]:
        """Keys of the entities of ``kind`` whose stored body is not a JSON object or whose
        secret no longer opens under the master key: rows changed outside openscc."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT key, body, secret FROM entity WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        damaged = []
        for key, body, sealed in rows:
            try:
                readable = isinstance(json.loads(body), dict)
                if sealed is not None:
                    self._sealer.unseal(kind, key, sealed)
            except (ValueError, TypeError, InvalidTag):
                readable = False
            if not readable:
                damaged.append(key)
        return damaged

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT kind, count(*) FROM entity GROUP BY kind").fetchall()
        return dict(rows)

    def iter_all(self, *, with_secret: bool = True, batch: int = 2000) -> Iterator[EntityRecord]:
        """Every entity in creation order, read in batches inside the caller's snapshot; each
        body stays the stored JSON text until it is asked for (a backup copies the text)."""
        cursor = self._conn.execute(
            "SELECT kind, key, parent, body, secret FROM entity ORDER BY seq"
        )
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                return
            for row in rows:
                yield self._record(row, with_secret)

    def insert_many(self, records: Iterable[EntityRecord]) -> int:
        """Append records in order (a fresh store from an archive; test and bench data)."""
        seq = int(self._conn.execute("SELECT coalesce(max(seq), 0) FROM entity").fetchone()[0])
        first = seq
        seal = self._sealer.seal

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal seq
            for record in records:
                seq += 1
                sealed = (
                    None if record.secret is None else seal(record.kind, record.key, record.secret)
                )
                yield (record.kind, record.key, record.parent, seq, record.body_json, sealed)

        # One executemany: the statement is prepared once and rows stream in from the generator.
        self._conn.executemany(
            "INSERT INTO entity (kind, key, parent, seq, body, secret) VALUES (?, ?, ?, ?, ?, ?)",
            rows(),
        )
        if self._journal is not None:
            # Not journaled one by one: a new history, so a shadow syncs everything again.
            self._journal.restart()
        return seq - first

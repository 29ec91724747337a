"""The change journal a shadow replays (openscc.store.journal): order, generations, pruning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openscc.store import journal
from openscc.store.db import connect
from openscc.store.entities import EntityStore
from openscc.store.journal import ChangeJournal
from openscc.store.records import EntityRecord
from openscc.store.sealing import SecretSealer


@pytest.fixture
def store(tmp_path: Path) -> EntityStore:
    conn = connect(tmp_path / "config.db")
    journal.generation(conn)  # the history begins (the server does this when it starts)
    return EntityStore(conn, SecretSealer(os.urandom(32)), ChangeJournal(conn, lambda k, _: True))


def _change(store: EntityStore, n: int) -> None:
    store.put(EntityRecord(kind="k", key=f"e{n}", parent=None, body={"n": n}))


def test_changes_are_kept_in_order_with_their_operations(store: EntityStore) -> None:
    for n in range(3):
        _change(store, n)
    store.delete("k", "e1")

    changes = journal.changes_after(store.connection, 0, 10)

    assert [(c.op, c.key) for c in changes] == [
        ("put", "e0"), ("put", "e1"), ("put", "e2"), ("delete", "e1")]  # fmt: skip
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    assert journal.last_seq(store.connection) == changes[-1].seq


def test_a_shadow_that_has_everything_follows_on_after_a_prune(store: EntityStore) -> None:
    """The master prunes what its shadow acknowledged: the journal is empty, but its position
    stays where it was, so the next change continues the shadow's history (no 410, no whole
    sync again)."""
    conn = store.connection
    for n in range(10):
        _change(store, n)
    generation, last = journal.generation(conn), journal.last_seq(conn)

    with store.transaction():
        journal.prune(conn, before=last)

    assert journal.changes_after(conn, 0, 10) == []
    assert journal.last_seq(conn) == last
    assert journal.continues(conn, generation, last)
    _change(store, 10)
    assert journal.continues(conn, generation, last)
    [next_change] = journal.changes_after(conn, last, 10)
    assert next_change.seq == last + 1


def test_a_shadow_that_lacks_pruned_changes_or_another_history_cannot_follow(
    store: EntityStore,
) -> None:
    conn = store.connection
    for n in range(5):
        _change(store, n)
    generation, last = journal.generation(conn), journal.last_seq(conn)
    with store.transaction():
        journal.prune(conn, before=3)

    assert not journal.continues(conn, generation, 1)  # changes 2 and 3 are gone
    assert journal.continues(conn, generation, 3)
    assert not journal.continues(conn, generation, last + 1)  # beyond the end
    assert not journal.continues(conn, "another-generation", last)
    with store.transaction():
        journal.new_generation(conn)
    assert not journal.continues(conn, generation, last)

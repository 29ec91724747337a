"""The entity store's body-only update: what a handler changes is the body, nothing else."""

from __future__ import annotations

import os
from pathlib import Path

from openscc.store.db import connect
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord
from openscc.store.sealing import SecretSealer


def _store(tmp_path: Path) -> EntityStore:
    return EntityStore(connect(tmp_path / "config.db"), SecretSealer(os.urandom(32)))


def test_update_body_keeps_the_secret_parent_and_place_in_lists(tmp_path: Path) -> None:
    """A body change never drops the secret, moves the entity or changes its parent."""
    store = _store(tmp_path)
    store.put(EntityRecord(kind="k", key="a", parent="p", body={"n": 1}, secret={"pw": "s3"}))
    store.put(EntityRecord(kind="k", key="b", parent="p", body={"n": 2}))

    changed = store.update_body("k", "a", {"n": 10})

    assert changed
    record = store.get("k", "a", with_secret=True)
    assert record == EntityRecord(
        kind="k", key="a", parent="p", body={"n": 10}, secret={"pw": "s3"}
    )
    assert [r.key for r in store.children("k", "p")] == ["a", "b"]


def test_update_body_of_a_missing_entity_changes_nothing(tmp_path: Path) -> None:
    """Updating an entity that does not exist reports it and creates nothing."""
    store = _store(tmp_path)

    assert store.update_body("k", "missing", {"n": 1}) is False
    assert store.counts() == {}

"""Grouped reads the configuration lists need, so a list costs one query, not one per row."""

from __future__ import annotations

import json
from collections.abc import Iterable

from openscc.store.entities import EntityStore


def resource_counts(
    store: EntityStore, kind: str, parents: Iterable[str]
) -> dict[str, tuple[int, int]]:
    """(total, enabled) children of ``kind`` per parent, in one grouped query."""
    wanted = list(parents)
    if not wanted:
        return {}
    # One statement over the entity table's (kind, parent) index; "enabled" lives in the JSON body.
    rows = store.connection.execute(
        "SELECT parent, count(*), coalesce(sum(json_extract(body, '$.enabled') = 1), 0) "
        "FROM entity WHERE kind = ? AND parent IN (SELECT value FROM json_each(?)) "
        "GROUP BY parent",
        (kind, json.dumps(wanted)),
    ).fetchall()
    counts = dict.fromkeys(wanted, (0, 0))
    counts.update({parent: (int(total), int(enabled)) for parent, total, enabled in rows})
    return counts

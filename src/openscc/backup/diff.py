"""What a restore would change: a per-kind comparison of two configurations. Pure.

Secrets are compared but never shown: a changed entity says only whether its secret changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openscc.kinds import KEY_SEPARATOR
from openscc.store.records import EntityRecord

# Lists of keys are cut at this length per kind and category; the counts stay exact.
MAX_LISTED = 1000


def _digest(value: Any) -> bytes:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    ).digest()


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    body: dict[str, bytes]  # field -> digest, so changed fields can be named
    secret: bytes


def _fingerprint(record: EntityRecord) -> _Fingerprint:
    return _Fingerprint(
        body={name: _digest(value) for name, value in record.body.items()},
        secret=_digest(record.secret),
    )


def display_key(key: str) -> str:
    return key.replace(KEY_SEPARATOR, " / ")


@dataclass
class KindChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    )

    def note(self, category: str, entry: Any) -> None:
        self.counts[category] += 1
        target = getattr(self, category)
        if len(target) < MAX_LISTED:
            target.append(entry)

    def to_json(self) -> dict[str, Any]:
        truncated = any(
            self.counts[c] > len(getattr(self, c)) for c in ("added", "removed", "changed")
        )
        return {
            **self.counts,
            "addedKeys": self.added,
            "removedKeys": self.removed,
            "changedEntities": self.changed,
            "truncated": truncated,
        }


def diff_configurations(
    current: Iterable[EntityRecord], restored: Iterable[EntityRecord]
) -> dict[str, KindChanges]:
    """Per kind: what the restored configuration adds, removes and changes relative to current."""
    before = {(r.kind, r.key): _fingerprint(r) for r in current}
    changes: dict[str, KindChanges] = {}
    for record in restored:
        kind = changes.setdefault(record.kind, KindChanges())
        old = before.pop((record.kind, record.key), None)
        if old is None:
            kind.note("added", display_key(record.key))
            continue
        new = _fingerprint(record)
        fields = sorted(
            name
            for name in old.body.keys() | new.body.keys()
            if old.body.get(name) != new.body.get(name)
        )
        secret_changed = old.secret != new.secret
        if fields or secret_changed:
            kind.note(
                "changed",
                {"key": display_key(record.key), "fields": fields, "secretChanged": secret_changed},
            )
        else:
            kind.counts["unchanged"] += 1
    for kind_name, key in before:
        changes.setdefault(kind_name, KindChanges()).note("removed", display_key(key))
    return dict(sorted(changes.items()))

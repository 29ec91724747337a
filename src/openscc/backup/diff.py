"""What a restore would change: a per-kind comparison of two configurations. Pure.

Secrets are compared but never shown: a changed entity says only whether its secret changed.
Each entity is listed by its key and by the name people know it by (openscc.backup.labels), and
a changed one with its fields' old and new values (cut short; never a secret).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openscc.backup.labels import entity_label, shown_value
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
    shown: dict[str, str]  # field -> its value as a preview shows it (bounded)
    secret: bytes
    label: str


def _fingerprint(record: EntityRecord) -> _Fingerprint:
    return _Fingerprint(
        body={name: _digest(value) for name, value in record.body.items()},
        shown={name: shown_value(value) for name, value in record.body.items()},
        secret=_digest(record.secret),
        label=entity_label(record.kind, record.key, record.body),
    )


def display_key(key: str) -> str:
    return key.replace(KEY_SEPARATOR, " / ")


@dataclass
class KindChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    added_names: list[str] = field(default_factory=list)
    removed_names: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    )

    def note(self, category: str, entry: Any, name: str = "") -> None:
        self.counts[category] += 1
        target = getattr(self, category)
        if len(target) < MAX_LISTED:
            target.append(entry)
            if category != "changed":
                getattr(self, f"{category}_names").append(name)

    def to_json(self) -> dict[str, Any]:
        truncated = any(
            self.counts[c] > len(getattr(self, c)) for c in ("added", "removed", "changed")
        )
        return {
            **self.counts,
            "addedKeys": self.added,
            "addedNames": self.added_names,
            "removedKeys": self.removed,
            "removedNames": self.removed_names,
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
            label = entity_label(record.kind, record.key, record.body)
            kind.note("added", display_key(record.key), label)
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
                {
                    "key": display_key(record.key),
                    "name": new.label,
                    "fields": fields,
                    # Absent on one side: null (a field the other configuration does not have).
                    "fieldChanges": [
                        {"field": name, "old": old.shown.get(name), "new": new.shown.get(name)}
                        for name in fields
                    ],
                    "secretChanged": secret_changed,
                },
            )
        else:
            kind.counts["unchanged"] += 1
    for (kind_name, key), old in before.items():
        changes.setdefault(kind_name, KindChanges()).note("removed", display_key(key), old.label)
    return dict(sorted(changes.items()))

"""Restoring selected subaccounts from a full backup, everything else untouched (what the
product's UI offers as subaccount export and import).

The whole archive is validated first (``plan``: its password, MAC, every record, every key's
shape, and that only kinds a subaccount owns lie under the selected ones), then the
selected subaccounts' entities replace the current ones in one transaction (``apply``): a crash
leaves either the old or the new subaccounts, never a mix. The caller takes a safety backup in
between. The counters of service channel and domain mapping numbers go on from the highest of
the two configurations, so that new entities never take a restored one's number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from openscc import kinds
from openscc.backup.content import validated
from openscc.backup.diff import diff_configurations
from openscc.backup.restore import open_upload
from openscc.errors import InvalidRequest
from openscc.instance import Instance
from openscc.kinds import KEY_SEPARATOR, SUBACCOUNT_KINDS
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

_COUNTERS = (kinds.CHANNEL, kinds.DOMAIN_MAPPING)
MAX_SELECTED = 1000


@dataclass(frozen=True, slots=True)
class PartialPlan:
    keys: tuple[str, ...]  # the selected subaccounts' keys
    records: tuple[EntityRecord, ...]  # the archive's entities of those subaccounts
    counters: tuple[EntityRecord, ...]  # the archive's number counters
    report: dict[str, Any]


def parse_selection(values: Iterable[str]) -> list[tuple[str, str]]:
    """``REGION/SUBACCOUNT`` strings (repeated, or comma-separated) as (region, subaccount)."""
    selected: list[tuple[str, str]] = []
    for value in values:
        for item in (v.strip() for v in value.split(",")):
            region, _, subaccount = item.partition("/")
            if not region or not subaccount:
                raise InvalidRequest(f"subaccounts are REGION/SUBACCOUNT, not {item[:100]!r}")
            selected.append((region, subaccount))
    if not selected:
        raise InvalidRequest("name at least one subaccount to restore (REGION/SUBACCOUNT)")
    if len(selected) > MAX_SELECTED:
        raise InvalidRequest(f"at most {MAX_SELECTED} subaccounts at once")
    return list(dict.fromkeys(selected))


def _within(key: str, keys: frozenset[str]) -> bool:
    """The subaccount itself, or an entity below it (mappings, resources, channels, ...)."""
    return key in keys or any(key.startswith(k + KEY_SEPARATOR) for k in keys)


def plan(
    instance: Instance, src: BinaryIO, password: str, selected: list[tuple[str, str]]
) -> PartialPlan:
    """Validate the whole archive and work out what the partial restore changes."""
    archive = open_upload(src, password)
    keys = frozenset(kinds.subaccount_key(region, sub) for region, sub in selected)
    wanted: list[EntityRecord] = []
    counters: list[EntityRecord] = []
    for record in validated(archive.records()):
        if _within(record.key, keys):
            if record.kind not in SUBACCOUNT_KINDS:
                # Checked whatever the key's shape: a partial restore takes a subaccount's own
                # entities, never connector-wide ones (a schedule, a user) placed under it.
                raise InvalidRequest(
                    f"the archive holds a {record.kind[:64]} entity under a selected subaccount; "
                    "a partial restore takes only what a subaccount owns; nothing was changed"
                )
            wanted.append(record)
        elif record.kind == kinds.SEQUENCE and record.key in _COUNTERS:
            counters.append(record)
    found = {r.key for r in wanted if r.kind == kinds.SUBACCOUNT}
    missing = [f"{region}/{sub}" for region, sub in selected
               if kinds.subaccount_key(region, sub) not in found]  # fmt: skip
    if missing:
        raise InvalidRequest(f"not in the archive: {', '.join(missing)}")
    with instance.snapshot() as current:
        now = [r for r in current.iter_all(with_secret=True) if _within(r.key, keys)]
    changes = diff_configurations(now, wanted)
    manifest = archive.manifest
    report = {
        "subaccounts": [f"{region}/{sub}" for region, sub in selected],
        "backup": {
            "createdAt": manifest.created_at,
            "sourceInstance": manifest.source_instance,
            "productVersion": manifest.product_version,
        },
        "changes": {kind: c.to_json() for kind, c in changes.items()},
    }
    return PartialPlan(tuple(sorted(keys)), tuple(wanted), tuple(counters), report)


def apply(store: EntityStore, partial: PartialPlan) -> None:
    """Replace the selected subaccounts in one transaction (in the store's thread)."""
    with store.transaction():
        for key in partial.keys:
            store.delete(kinds.SUBACCOUNT, key)
            store.delete_subtree(key)
        for record in partial.records:
            store.put(record)
        for counter in partial.counters:
            current = store.get(kinds.SEQUENCE, counter.key)
            if current is None or int(current.body["last"]) < int(counter.body["last"]):
                store.put(counter)

"""Checking an archive's records against what a configuration must be, before any is applied."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Iterator

from openscc import kinds
from openscc.errors import CorruptArchive
from openscc.kinds import ENTITY_KINDS, KEY_SEPARATOR, Parents, key_problem
from openscc.store.records import EntityRecord

MAX_KEY_CHARS = 4096


def _shown(key: str) -> str:
    return repr(key.replace(KEY_SEPARATOR, "/")[:200])


def _invalid(record: EntityRecord, why: str) -> CorruptArchive:
    return CorruptArchive(f"{record.kind} entity is invalid: {why}")


@functools.cache
def validator_of(kind: str) -> Callable[[EntityRecord], None] | None:
    """The kind's restore validator, as openscc.kinds names it."""
    path = kinds.KINDS[kind].validator
    if path is None:
        return None
    module, _, function = path.partition(":")
    check: Callable[[EntityRecord], None] = getattr(importlib.import_module(module), function)
    return check


def validated(records: Iterable[EntityRecord]) -> Iterator[EntityRecord]:
    """Pass records through, raising CorruptArchive on the first invalid one or, at the end,
    if the configuration as a whole could not run (no connector, no administrator, duplicates).

    The records are those the archive reader yields, whose fields it has already checked for
    type (kind and key strings, parent a string or null, body and secret objects).
    """
    seen_connector = False
    administrators = 0
    has_ui_certificate = False
    parents = Parents()
    ldap_servers: set[str] = set()
    ldap_order: set[str] = set()
    for record in records:
        kind = record.kind
        if kind not in ENTITY_KINDS:
            raise CorruptArchive(f"unknown kind of entity {kind[:64]!r}")
        key = record.key
        if not key or len(key) > MAX_KEY_CHARS:
            raise _invalid(record, "the key is empty or too long")
        # An entity keyed otherwise than the API keys it could be neither listed nor deleted.
        problem = key_problem(record)
        if problem is not None:
            raise _invalid(record, f"its key {_shown(key)} is {problem}")
        parents.see(record)
        check = validator_of(kind)
        if check is not None:
            try:
                check(record)
            except ValueError as error:
                raise _invalid(record, str(error)) from None
        seen_connector |= kind == kinds.CONNECTOR
        has_ui_certificate |= kind == kinds.UI_CERTIFICATE
        administrators += kind == kinds.USER and record.body.get("role") == "sccadmin"
        if kind == kinds.LDAP_SERVER:
            ldap_servers.add(key)
        elif kind == kinds.LDAP_SETTINGS:
            ldap_order.update(record.body["order"])  # a list of strings: checked above
        yield record
    if missing := parents.missing():
        raise CorruptArchive(f"entities of {_shown(missing[0])} are there, but not it")
    if unlisted := sorted(ldap_servers - ldap_order):
        raise CorruptArchive(f"LDAP server {_shown(unlisted[0])} is not in the servers' order")
    if not seen_connector:
        raise CorruptArchive("it holds no connector settings")
    if administrators == 0:
        raise CorruptArchive("it holds no administrator")
    if not has_ui_certificate:
        raise CorruptArchive("it holds no UI certificate")

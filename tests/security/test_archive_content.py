"""Archives re-signed with a password the attacker knows: every record's kind, key and parent must
be what the API builds, so no entity can be planted that the API cannot list and delete; a
partial restore takes only what a subaccount owns (the probe's planted schedule ran every minute
and shipped the instance's secrets under the attacker's password)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openscc import kinds
from openscc.kinds import join_key
from openscc.store.records import EntityRecord
from support.archives import rewritten
from support.in_process import BACKUP_PASSWORD, InProcessServer
from support.populate import REGION, SUBACCOUNTS, populate_every_kind

PARTIAL = "/api/openscc/v1/backup/partial"
SCHEDULES = "/api/openscc/v1/backup/schedules"
FIRST = SUBACCOUNTS[0][0]
SUBACCOUNT_KEY = kinds.subaccount_key(REGION, FIRST)


def _with(record: EntityRecord, **changes: Any) -> EntityRecord:
    fields = {"kind": record.kind, "key": record.key, "parent": record.parent,
              "body": record.body, "secret": record.secret}  # fmt: skip
    return EntityRecord(**{**fields, **changes})


def _one(records: list[EntityRecord], kind: str) -> EntityRecord:
    return next(r for r in records if r.kind == kind)


def _schedule_like(records: list[EntityRecord], key: str, name: str = "x") -> EntityRecord:
    schedule = _one(records, kinds.BACKUP_SCHEDULE)
    return _with(schedule, key=key, body={**schedule.body, "name": name})


def _planted(
    server: InProcessServer, change: Callable[[list[EntityRecord]], list[EntityRecord]]
) -> bytes:
    server.http.auth = server.auth
    populate_every_kind(server.http)
    return rewritten(server.backup(), BACKUP_PASSWORD, change)


def _entities(server: InProcessServer) -> list[tuple[object, ...]]:
    return server.state()


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_partial_restore_refuses_a_schedule_planted_under_the_subaccount(
    admin_server: InProcessServer, dry_run: bool
) -> None:
    archive = _planted(admin_server, lambda records: [
        *records, _schedule_like(records, join_key(SUBACCOUNT_KEY, "x"))])  # fmt: skip
    before = _entities(admin_server)

    answer = admin_server.http.put(
        PARTIAL + ("?dryRun=true" if dry_run else ""),
        files={"backup": ("b.zip", archive)},
        data={"password": BACKUP_PASSWORD, "subaccounts": f"{REGION}/{FIRST}"},
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["type"] == "INVALID_REQUEST"
    assert _entities(admin_server) == before


def test_a_partial_restore_takes_only_what_a_subaccount_owns(admin_server: InProcessServer) -> None:
    """A connector-wide kind under the subaccount, even keyed as the API would key a name of
    it, is refused by its kind."""

    def plant(records: list[EntityRecord]) -> list[EntityRecord]:
        user = _one(records, "user")
        return [*records, _with(user, key=join_key(SUBACCOUNT_KEY, "user", "eve"))]

    archive = _planted(admin_server, plant)
    before = _entities(admin_server)

    answer = admin_server.http.put(PARTIAL, files={"backup": ("b.zip", archive)},
        data={"password": BACKUP_PASSWORD, "subaccounts": f"{REGION}/{FIRST}"})  # fmt: skip

    assert answer.status_code == 400
    assert _entities(admin_server) == before


PLANTS: dict[str, Callable[[list[EntityRecord]], list[EntityRecord]]] = {
    "schedule keyed under a subaccount": lambda rs: [
        *rs, _schedule_like(rs, join_key(SUBACCOUNT_KEY, "x"))],
    "schedule whose name is not its key": lambda rs: [*rs, _schedule_like(rs, "other", "y")],
    "mapping keyed off its host and port": lambda rs: [
        _with(r, key=r.key + "-elsewhere") if r.kind == kinds.SYSTEM_MAPPING else r for r in rs],
    "resources of a mapping that is not there": lambda rs: [
        r for r in rs if r.kind != kinds.SYSTEM_MAPPING],
    "a second proxy": lambda rs: [*rs, _with(_one(rs, "proxy"), key="other")],
    "a domain mapping without its subaccount": lambda rs: [
        _with(r, parent=None) if r.kind == kinds.DOMAIN_MAPPING else r for r in rs],
    "an LDAP server out of the order": lambda rs: [
        _with(r, body={**r.body, "order": []}) if r.kind == "ldapAuthentication" else r
        for r in rs],
}  # fmt: skip


@pytest.mark.parametrize("plant", PLANTS.values(), ids=PLANTS.keys())
def test_a_restore_refuses_an_entity_the_api_could_not_list_or_delete(
    admin_server: InProcessServer, plant: Callable[[list[EntityRecord]], list[EntityRecord]]
) -> None:
    archive = _planted(admin_server, plant)
    before = _entities(admin_server)

    preview = admin_server.restore(archive, dry_run=True)
    answer = admin_server.restore(archive)

    assert preview.status_code == 400, preview.text
    assert answer.status_code == 400, answer.text
    assert "invalid" in answer.json()["message"] or "not" in answer.json()["message"]
    assert admin_server.restart_requests == 0
    assert _entities(admin_server) == before


def test_every_entity_the_api_makes_has_a_key_the_checks_accept(
    admin_server: InProcessServer,
) -> None:
    """The other side: a backup of every kind, untouched, restores (no false refusal)."""
    archive = _planted(admin_server, lambda records: records)

    assert admin_server.restore(archive, dry_run=True).status_code == 200
    assert admin_server.restore(archive).status_code == 204

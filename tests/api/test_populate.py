"""populate_every_kind fills every kind of the registry, and every secret field the registry
declares: what the round-trip, partial-restore and archive-content tests rely on. It also checks
the registry against what the API really stores (no secret field undeclared)."""

from __future__ import annotations

from starlette.testclient import TestClient

from openscc import kinds
from openscc.store.entities import EntityStore
from support.populate import populate_every_kind


def test_every_kind_is_populated_with_every_declared_secret(
    admin: TestClient, store: EntityStore
) -> None:
    populate_every_kind(admin)

    records = list(store.iter_all(with_secret=True))
    stored_secrets = {(r.kind, field) for r in records for field in (r.secret or {})}
    declared_secrets = {(k.name, field) for k in kinds.KINDS.values() for field in k.secrets}
    assert {r.kind for r in records} == set(kinds.ENTITY_KINDS)
    assert stored_secrets == declared_secrets
    assert admin.get("/api/v1/configuration/connector/proxy").json()["password"] == "***"


def test_every_stored_key_is_one_the_registry_accepts(
    admin: TestClient, store: EntityStore
) -> None:
    populate_every_kind(admin)

    problems = {
        (r.kind, r.key): kinds.key_problem(r)
        for r in store.iter_all(with_secret=False)
        if kinds.key_problem(r) is not None
    }
    assert problems == {}

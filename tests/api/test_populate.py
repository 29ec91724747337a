"""populate_every_kind fills every kind of configuration entity, secrets included."""

from __future__ import annotations

from starlette.testclient import TestClient

from openscc.config import kinds
from openscc.store.entities import EntityStore
from support.populate import populate_every_kind

CONFIGURATION_KINDS = {
    kinds.SUBACCOUNT,
    kinds.SYSTEM_MAPPING,
    kinds.RESOURCE,
    kinds.DOMAIN_MAPPING,
    kinds.CHANNEL,
    kinds.SEQUENCE,
    kinds.PROXY,
    kinds.SUBJECT_PATTERN_RULES,
    kinds.SYSTEM_CERTIFICATE,
    kinds.PP_CA_CERTIFICATE,
    kinds.UI_CERTIFICATE,
    kinds.PENDING_CSR,
    kinds.TRUSTSTORE,
    kinds.TRUSTED_BACKEND,
}


def test_every_kind_is_populated_with_its_secrets(admin: TestClient, store: EntityStore) -> None:
    populate_every_kind(admin)

    counts = store.counts()
    secrets = {
        (record.kind, name)
        for record in store.iter_all(with_secret=True)
        for name in (record.secret or {})
    }
    assert set(counts) >= CONFIGURATION_KINDS
    assert {
        (kinds.SUBACCOUNT, "privateKeyPem"),
        (kinds.SUBACCOUNT, "cloudPassword"),
        (kinds.SUBACCOUNT, "authenticationData"),
        (kinds.PROXY, "password"),
        (kinds.SYSTEM_CERTIFICATE, "privateKeyPem"),
        (kinds.PP_CA_CERTIFICATE, "privateKeyPem"),
        (kinds.UI_CERTIFICATE, "privateKeyPem"),
        (kinds.PENDING_CSR, "privateKeyPem"),
    } <= secrets
    assert admin.get("/api/v1/configuration/connector/proxy").json()["password"] == "***"

"""Configurations of a given size, in the shapes the configuration API stores.

A large installation is modelled as subaccounts of ``MAPPINGS_PER_SUBACCOUNT`` system mappings of
``RESOURCES_PER_MAPPING`` resources each (URL paths of OData services, as SAP systems expose them).
Bodies are built by the same ``parse``/``record`` functions the API's POST handlers call, so the
stored rows are what the API would have written; the rows are inserted through
``EntityStore.insert_many`` in one transaction, before the server starts, which takes seconds
where 100,000 POSTs would take many minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openscc.cloud import TunnelOutcome
from openscc.config import resources as resource_model
from openscc.config import subaccounts as subaccount_model
from openscc.config import system_mappings as mapping_model
from openscc.config.certs import KeyPair
from openscc.instance import open_instance
from openscc.settings import Settings
from openscc.store.records import EntityRecord

RESOURCES_PER_MAPPING = 100
MAPPINGS_PER_SUBACCOUNT = 50
ADMIN_PASSWORD = "bench-Admin-1"  # basic auth of the generated instances (loopback only)
_CREATED_MS = 1_700_000_000_000


@dataclass(frozen=True, kw_only=True, slots=True)
class Shape:
    """How many of each entity a configuration has."""

    subaccounts: int
    mappings_per_subaccount: int
    resources_per_mapping: int

    @property
    def mappings(self) -> int:
        return self.subaccounts * self.mappings_per_subaccount

    @property
    def resources(self) -> int:
        return self.mappings * self.resources_per_mapping

    @property
    def entities(self) -> int:
        return self.subaccounts + self.mappings + self.resources


def shape_for(resources: int) -> Shape:
    """About ``resources`` resources, 100 per mapping and 50 mappings per subaccount (fewer
    mappings in the last subaccount's place when the size is small)."""
    per_mapping = min(RESOURCES_PER_MAPPING, max(resources, 1))
    mappings = max(1, resources // per_mapping)
    per_subaccount = min(MAPPINGS_PER_SUBACCOUNT, mappings)
    subaccounts = max(1, mappings // per_subaccount)
    return Shape(
        subaccounts=subaccounts,
        mappings_per_subaccount=per_subaccount,
        resources_per_mapping=per_mapping,
    )


def _key_pair() -> KeyPair:
    # One RSA key for all subaccounts: generating dozens costs seconds and changes nothing
    # measured (every subaccount still carries a PEM certificate and key of the real size).
    return subaccount_model.local_certificate("cf.eu10.hana.ondemand.com", "bench")


def records(shape: Shape, *, pair: KeyPair | None = None) -> Iterator[EntityRecord]:
    """Subaccount, then its mappings each followed by its resources, in API creation order."""
    pair = pair or _key_pair()
    tunnel = TunnelOutcome(state="Connected", connected_since_ms=_CREATED_MS, message="")
    templates = _resource_templates(shape.resources_per_mapping)
    for s in range(shape.subaccounts):
        new = subaccount_model.parse_new(
            {
                "regionHost": "cf.eu10.hana.ondemand.com",
                "subaccount": f"0f{s:06d}-5b1c-4c2a-9e4f-3a7d2c1b{s:04d}",
                "cloudUser": f"integration.user{s}@example.com",
                "cloudPassword": f"cloud-password-{s:04d}-Xq7!",
                "locationID": f"LOC{s % 4}",
                "displayName": f"Production landscape {s}",
                "description": "Bench subaccount: ERP, CRM and BW back ends",
            }
        )
        sa = subaccount_model.new_record(new, pair, tunnel)
        yield sa
        for m in range(shape.mappings_per_subaccount):
            protocol = "HTTPS" if m % 3 else "HTTP"
            body = mapping_model.parse(
                {
                    "virtualHost": f"erp{m:03d}.virtual.example",
                    "virtualPort": 44300 + (m % 100),
                    "localHost": f"sap-erp-{s:02d}-{m:03d}.corp.example.net",
                    "localPort": 8443,
                    "protocol": protocol,
                    "backendType": "abapSys",
                    "authenticationMode": "X509_GENERAL",
                    "hostInHeader": "VIRTUAL",
                    "sid": f"E{m % 100:02d}",
                    "description": f"ERP system {m} of landscape {s}",
                    "allowedClients": ["100", "200"],
                    "blacklistedUsers": [],
                }
            )
            mapping = mapping_model.record(sa.key, {**body, "creationDate": _CREATED_MS + m})
            yield mapping
            for r, template in enumerate(templates):
                resource = {**template, "description": f"OData service {r} of {body['sid']}"}
                yield resource_model.record(
                    mapping.key, {**resource, "creationDate": _CREATED_MS + r}
                )


def _resource_templates(count: int) -> list[dict[str, object]]:
    # parse() is the API's; run once per distinct resource, then copied per mapping (fast).
    return [
        resource_model.parse(
            {
                "id": f"/sap/opu/odata/sap/Z_BENCH_SERVICE_{r:04d}_SRV",
                "enabled": r % 10 != 0,
                "exactMatchOnly": r % 2 == 0,
                "websocketUpgradeAllowed": False,
                "description": "-",
            }
        )
        for r in range(count)
    ]


def settings_for(data_dir: Path, *, kdf_profile: str = "production") -> Settings:
    return Settings(data_dir=data_dir, kdf_profile=kdf_profile, admin_password=ADMIN_PASSWORD)


def build_data_dir(data_dir: Path, shape: Shape, *, kdf_profile: str = "production") -> int:
    """Create an instance in ``data_dir`` holding ``shape``; the number of entities added."""
    instance = open_instance(settings_for(data_dir, kdf_profile=kdf_profile))
    try:
        with instance.store.transaction():
            return instance.store.insert_many(records(shape))
    finally:
        instance.close()

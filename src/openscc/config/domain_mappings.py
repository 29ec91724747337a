"""Domain mappings: a virtual domain shown to the cloud for an internal domain."""

from __future__ import annotations

from typing import Any

from openscc.config import paths
from openscc.config.values import Fields, Text
from openscc.errors import InvalidConfiguration
from openscc.store.records import EntityRecord

FIELDS = Fields(
    Text(name="virtualDomain", required=True, max_length=253, host=True),
    Text(name="internalDomain", required=True, max_length=253, host=True),
)


def parse(data: dict[str, Any]) -> dict[str, str]:
    return FIELDS.read(data)


def find(records: list[EntityRecord], internal_domain: str) -> EntityRecord | None:
    for record in records:
        if record.body["internalDomain"].lower() == internal_domain.lower():
            return record
    return None


def check_unique(
    records: list[EntityRecord], body: dict[str, str], *, ignore: str | None = None
) -> None:
    """409 if another mapping already uses the internal or the virtual domain."""
    for record in records:
        if record.key == ignore:
            continue
        for field in ("internalDomain", "virtualDomain"):
            if record.body[field].lower() == body[field].lower():
                raise InvalidConfiguration(
                    f"Domain mapping with {field} '{body[field]}' already exists"
                )


def view(base: str, sa_path: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "virtualDomain": body["virtualDomain"],
        "internalDomain": body["internalDomain"],
        "_links": {
            "self": paths.href(base, paths.domain_mapping_path(sa_path, body["internalDomain"]))
        },
    }

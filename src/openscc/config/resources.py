"""System mapping resources: URL paths or function names a mapping exposes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from openscc import kinds
from openscc.config import paths
from openscc.config.values import Fields, Flag, Text
from openscc.store.records import EntityRecord

FLAGS = ("enabled", "exactMatchOnly", "websocketUpgradeAllowed")
_CHANGEABLE = (
    *(Flag(name=flag, default=False) for flag in FLAGS),
    Text(name="description", max_length=1024),
)
FIELDS = Fields(
    Text(name="id", required=True, max_length=2048, description="a URL path or a function name"),
    *_CHANGEABLE,
)
# A PUT changes what it names; the id stays (it is the resource's address).
UPDATE_FIELDS = Fields(*(replace(field, default=None) for field in _CHANGEABLE))


def parse(data: dict[str, Any]) -> dict[str, Any]:
    """A new resource's body (flags default to false)."""
    values = FIELDS.read(data)
    if values["description"] is None:
        del values["description"]
    return values


def updated(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The body after a PUT: absent fields stay."""
    return {**body, **UPDATE_FIELDS.given(data)}


def record(mapping_key: str, body: dict[str, Any]) -> EntityRecord:
    return EntityRecord(
        kind=kinds.RESOURCE,
        key=kinds.resource_key(mapping_key, body["id"]),
        parent=mapping_key,
        body=body,
    )


def view(base: str, mapping: str, body: dict[str, Any], *, in_list: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": body["id"],
        "enabled": body["enabled"],
        "exactMatchOnly": body["exactMatchOnly"],
        "websocketUpgradeAllowed": body["websocketUpgradeAllowed"],
        "creationDate": str(body["creationDate"]),
    }
    if "description" in body:
        out["description"] = body["description"]
    # The product sends an empty _links object in lists and a self link for one resource.
    out["_links"] = (
        {} if in_list else {"self": paths.href(base, paths.resource_path(mapping, body["id"]))}
    )
    return out

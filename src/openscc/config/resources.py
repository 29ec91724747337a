"""System mapping resources: URL paths or function names a mapping exposes."""

from __future__ import annotations

from typing import Any

from openscc import kinds
from openscc.config import paths
from openscc.config.values import opt_bool, opt_str, req_str
from openscc.store.records import EntityRecord

FLAGS = ("enabled", "exactMatchOnly", "websocketUpgradeAllowed")


def parse(data: dict[str, Any], existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """A resource body from a POST (flags default false) or a PUT (absent fields stay)."""
    old = existing or {}
    body: dict[str, Any] = {"id": old["id"] if existing else req_str(data, "id", max_length=2048)}
    for flag in FLAGS:
        body[flag] = opt_bool(data, flag, bool(old.get(flag, False)))
    description = opt_str(data, "description", old.get("description"), max_length=1024)
    if description is not None:
        body["description"] = description
    if "creationDate" in old:
        body["creationDate"] = old["creationDate"]
    return body


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

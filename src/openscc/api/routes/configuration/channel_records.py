"""What the typed and the obsolete generic channel routes share: the paths, finding a
subaccount's channel, storing a new one, and asking the tunnel for a channel's state."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc import kinds
from openscc.api.routes.configuration.common import cloud_of, store_of
from openscc.api.routes.configuration.system_mappings import SUBACCOUNT, subaccount_of
from openscc.cloud import ChannelState
from openscc.config import channels as model
from openscc.config import paths
from openscc.config.sequences import next_value
from openscc.errors import NotFound
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

ALL = f"{SUBACCOUNT}/channels"
# The obsolete generic form addresses one channel as channels/<id>, where the typed form has
# channels/<type>: the routes at LIST serve both, told apart by the segment being a number.
LIST = f"{ALL}/{{type}}"
ONE = f"{LIST}/{{id}}"
NO_TUNNEL = {"500": "RUNTIME_FAILURE: SAP BTP cannot be reached to list what it offers"}


def sa_path(sa: EntityRecord) -> str:
    return paths.subaccount_path(sa.body["regionHost"], sa.body["subaccount"])


def cloud_name(body: dict[str, Any]) -> str:
    """How a channel is named to the tunnel."""
    return f"{body['type']} channel {body['id']}"


def state_of(request: Request, sa: EntityRecord, body: dict[str, Any]) -> ChannelState | None:
    """What the tunnel says of an enabled channel (None for a disabled one)."""
    if not body["enabled"]:
        return None
    return cloud_of(request).channel_state(
        sa.body["regionHost"], sa.body["subaccount"], cloud_name(body)
    )


def by_number(request: Request, sa: EntityRecord, text: str) -> EntityRecord:
    record = (
        store_of(request).get(kinds.CHANNEL, kinds.channel_key(sa.key, int(text)))
        if text.isdigit()
        else None
    )
    if record is None:
        raise NotFound(f"Service channel with value '{text[:64]}' does not exist")
    return record


def typed_channel(request: Request) -> tuple[EntityRecord, EntityRecord]:
    """The subaccount and the channel ``{type}/{id}`` names (404 for either)."""
    kind = model.channel_type(request.path_params["type"])
    sa = subaccount_of(request)
    text = request.path_params["id"]
    record = by_number(request, sa, text)
    if record.body["type"] != kind:
        raise NotFound(f"Service channel with value '{text[:64]}' does not exist")
    return sa, record


def add(store: EntityStore, sa: EntityRecord, kind: str, fields: dict[str, Any]) -> int:
    """Store a new channel (disabled) under the next number; call inside a transaction."""
    number = next_value(store, kinds.CHANNEL)
    body = {**fields, "id": number, "type": kind, "enabled": False}
    store.put(
        EntityRecord(
            kind=kinds.CHANNEL, key=kinds.channel_key(sa.key, number), parent=sa.key, body=body
        )
    )
    return number

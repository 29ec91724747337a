"""Absolute paths of configuration entities, for ``Location`` headers and HAL ``_links``."""

from __future__ import annotations

from urllib.parse import quote

from openscc.config.resource_ids import encode_resource_id

CONFIG = "/api/v1/configuration"
SUBACCOUNTS = f"{CONFIG}/subaccounts"


def _seg(value: str) -> str:
    # Keep the characters the product uses literally in its URIs (host:port, encoded ids).
    return quote(value, safe=":+@")


def subaccount_path(region_host: str, subaccount: str) -> str:
    return f"{SUBACCOUNTS}/{_seg(region_host)}/{_seg(subaccount)}"


def mapping_path(sa_path: str, virtual_host: str, virtual_port: str) -> str:
    return f"{sa_path}/systemMappings/{_seg(virtual_host)}:{_seg(virtual_port)}"


def resource_path(mapping: str, resource_id: str) -> str:
    return f"{mapping}/resources/{_seg(encode_resource_id(resource_id))}"


def channel_path(sa_path: str, channel_type: str, channel_id: int) -> str:
    return f"{sa_path}/channels/{channel_type}/{channel_id}"


def domain_mapping_path(sa_path: str, internal_domain: str) -> str:
    return f"{sa_path}/domainMappings/{_seg(internal_domain)}"


def href(base: str, path: str) -> dict[str, str]:
    return {"href": base + path}

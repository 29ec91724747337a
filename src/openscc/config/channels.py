"""Service channels: typed local ports that reach cloud services through the tunnel.

Each type has its own fields; ABAP Cloud ports follow the product's numbering from the instance
number (33NN without SNC, 48NN with SNC), HANA's follow 3NN15.
"""

from __future__ import annotations

from typing import Any

from openscc.config import paths
from openscc.config.values import opt_int, opt_str, req_str
from openscc.errors import InvalidRequest

K8S = "K8S"
ABAP_CLOUD = "ABAPCloud"
ABAP_CLOUD_SNC = "ABAPCloudSNC"
HANA = "HANA"
VIRTUAL_MACHINE = "VirtualMachine"
TYPES = (K8S, ABAP_CLOUD, ABAP_CLOUD_SNC, HANA, VIRTUAL_MACHINE)
MAX_CONNECTIONS = 1000


def channel_type(value: str) -> str:
    if value not in TYPES:
        raise InvalidRequest(f"channel type must be one of {', '.join(TYPES)}")
    return value


def _instance(data: dict[str, Any]) -> int:
    if data.get("instanceNumber") is None:
        raise InvalidRequest("instanceNumber is required")
    return opt_int(data, "instanceNumber", 0, minimum=0, maximum=99)


def _port(data: dict[str, Any]) -> int:
    if data.get("port") is None:
        raise InvalidRequest("port is required")
    return opt_int(data, "port", 0, minimum=1, maximum=65535)


def _specific(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The type's own fields, in the order the product shows them, and the local port."""
    if kind == K8S:
        return {
            "k8sCluster": req_str(data, "k8sCluster", max_length=1024),
            "k8sService": req_str(data, "k8sService", max_length=1024),
            "port": _port(data),
        }
    if kind in (ABAP_CLOUD, ABAP_CLOUD_SNC):
        number = _instance(data)
        base = 4800 if kind == ABAP_CLOUD_SNC else 3300
        return {
            "abapCloudTenantHost": req_str(data, "abapCloudTenantHost", max_length=1024),
            "instanceNumber": number,
            "port": base + number,
        }
    if kind == HANA:
        number = _instance(data)
        return {
            "hanaInstanceName": req_str(data, "hanaInstanceName", max_length=1024),
            "instanceNumber": number,
            "port": 30015 + 100 * number,
        }
    return {"vmName": req_str(data, "vmName", max_length=1024), "port": _port(data)}


def parse(
    kind: str, data: dict[str, Any], existing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A channel body from a POST or a PUT (absent fields keep their value)."""
    merged = {**(existing or {}), **{k: v for k, v in data.items() if v is not None}}
    return {
        **_specific(kind, merged),
        "connections": opt_int(merged, "connections", 1, minimum=1, maximum=MAX_CONNECTIONS),
        "comment": opt_str(merged, "comment", "", max_length=1024) or "",
    }


def view(base: str, sa_path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The channel as recorded: type fields first, then id, type, port, enabled, ..."""
    specific = {k: v for k, v in body.items() if k not in _COMMON}
    path = paths.channel_path(sa_path, body["type"], body["id"])
    return {
        **specific,
        "id": body["id"],
        "type": body["type"],
        "port": body["port"],
        "enabled": body["enabled"],
        "connections": body["connections"],
        "comment": body["comment"],
        "_links": {"self": paths.href(base, path), "state": paths.href(base, f"{path}/state")},
    }


_COMMON = ("id", "type", "port", "enabled", "connections", "comment")

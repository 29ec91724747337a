"""Service channels: typed local ports that reach cloud services through the tunnel.

Each type has its own fields; ABAP Cloud ports follow the product's numbering from the instance
number (33NN without SNC, 48NN with SNC), HANA's follow 3NN15. The obsolete generic form of the API
(``typeKey`` HANA_DB, HCPVM or RFC, ``details``, ``serviceNumber``, ``connectionCount``) is a
second view of the same channels.
"""

from __future__ import annotations

from typing import Any

from openscc.cloud import ChannelState
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
    return {
        "name": req_str(data, "name", max_length=1024),
        "endpointId": req_str(data, "endpointId", max_length=1024),
        "port": _port(data),
    }


def upgraded(body: dict[str, Any]) -> dict[str, Any]:
    """Earlier versions of openscc stored a virtual machine's name as ``vmName``, without its
    endpoint ID (archives still hold such channels): read it with the documented fields."""
    if "vmName" not in body:
        return body
    old = dict(body)
    name = old.pop("vmName")
    return {"name": name, "endpointId": old.pop("endpointId", ""), **old}


def parse(
    kind: str, data: dict[str, Any], existing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A channel body from a POST or a PUT (absent fields keep their value)."""
    current = upgraded(existing) if existing else {}
    merged = {**current, **{k: v for k, v in data.items() if v is not None}}
    return {
        **_specific(kind, merged),
        "connections": opt_int(merged, "connections", 1, minimum=1, maximum=MAX_CONNECTIONS),
        "comment": opt_str(merged, "comment", "", max_length=1024) or "",
    }


def view(
    base: str, sa_path: str, body: dict[str, Any], state: ChannelState | None
) -> dict[str, Any]:
    """The channel as recorded: type fields first, then id, type, port, enabled, ...; ``state``
    only while it is enabled, as the pages say."""
    body = upgraded(body)
    specific = {k: v for k, v in body.items() if k not in _COMMON}
    path = paths.channel_path(sa_path, body["type"], body["id"])
    shown = {
        **specific,
        "id": body["id"],
        "type": body["type"],
        "port": body["port"],
        "enabled": body["enabled"],
        "connections": body["connections"],
    }
    if body["enabled"] and state is not None:
        shown["state"] = {
            "connected": state.connected,
            "openedConnections": state.opened_connections,
            "connectedSinceTimeStamp": state.connected_since_ms,
        }
    shown["comment"] = body["comment"]
    shown["_links"] = {"self": paths.href(base, path), "state": paths.href(base, f"{path}/state")}
    return shown


_COMMON = ("id", "type", "port", "enabled", "connections", "comment")

# The obsolete generic API: its type keys and names, and the field its ``details`` stands for.
GENERIC_KEYS = {HANA: "HANA_DB", VIRTUAL_MACHINE: "HCPVM", ABAP_CLOUD: "RFC"}
_GENERIC_TYPES = {key: kind for kind, key in GENERIC_KEYS.items()}
_TYPE_NAMES = {
    K8S: "Kubernetes Cluster",
    ABAP_CLOUD: "ABAP Cloud System",
    ABAP_CLOUD_SNC: "ABAP Cloud System (SNC)",
    HANA: "HANA Database",
    VIRTUAL_MACHINE: "Virtual Machine",
}
_DETAILS = {
    K8S: "k8sCluster",
    ABAP_CLOUD: "abapCloudTenantHost",
    ABAP_CLOUD_SNC: "abapCloudTenantHost",
    HANA: "hanaInstanceName",
    VIRTUAL_MACHINE: "name",
}


def generic_type(data: dict[str, Any]) -> str:
    """The channel type a generic request's ``typeKey`` stands for."""
    key = data.get("typeKey")
    if key not in _GENERIC_TYPES:
        raise InvalidRequest(f"typeKey must be one of {', '.join(_GENERIC_TYPES)}")
    return _GENERIC_TYPES[key]


def from_generic(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A typed request from a generic one: ``details`` is the instance, VM or tenant host;
    ``serviceNumber`` the instance number (the port, for a virtual machine)."""
    typed: dict[str, Any] = {_DETAILS[kind]: req_str(data, "details", max_length=1024)}
    number = data.get("serviceNumber")
    typed["port" if kind == VIRTUAL_MACHINE else "instanceNumber"] = number
    if data.get("connectionCount") is not None:
        typed["connections"] = data["connectionCount"]
    return typed


def generic_view(body: dict[str, Any], state: ChannelState | None) -> dict[str, Any]:
    """A channel in the obsolete generic shape (with its ``id``, which the shape needs to be of
    use and the typed views carry)."""
    body = upgraded(body)
    kind = body["type"]
    live = state if body["enabled"] and state is not None else None
    return {
        "id": body["id"],
        "typeDesc": {"typeKey": GENERIC_KEYS.get(kind, kind), "typeName": _TYPE_NAMES[kind]},
        "details": body[_DETAILS[kind]],
        "port": body["port"],
        "enabled": body["enabled"],
        "connected": bool(live and live.connected),
        "connectionsCount": body["connections"],
        "availableConnectionsCount": live.opened_connections if live else 0,
        "connectedSinceTimeStamp": live.connected_since_ms if live else 0,
    }

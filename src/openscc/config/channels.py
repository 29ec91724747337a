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
from openscc.config.values import Choice, Fields, Flag, Number, Text
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


_PORT = Number(
    name="port",
    required=True,
    minimum=1,
    maximum=65535,
    description="K8S, VirtualMachine: the local port (the others' follows the instance number)",
)
_INSTANCE = Number(
    name="instanceNumber",
    required=True,
    minimum=0,
    maximum=99,
    description="ABAPCloud, ABAPCloudSNC, HANA",
)
_TENANT_HOST = Text(
    name="abapCloudTenantHost",
    required=True,
    max_length=1024,
    description="ABAPCloud, ABAPCloudSNC",
)
# Each type's own fields, in the order the product shows them.
TYPE_FIELDS = {
    K8S: Fields(
        Text(name="k8sCluster", required=True, max_length=1024, description="K8S"),
        Text(name="k8sService", required=True, max_length=1024, description="K8S"),
        _PORT,
    ),
    ABAP_CLOUD: Fields(_TENANT_HOST, _INSTANCE),
    ABAP_CLOUD_SNC: Fields(_TENANT_HOST, _INSTANCE),
    HANA: Fields(
        Text(name="hanaInstanceName", required=True, max_length=1024, description="HANA"),
        _INSTANCE,
    ),
    VIRTUAL_MACHINE: Fields(
        Text(name="name", required=True, max_length=1024, description="VirtualMachine"),
        Text(name="endpointId", required=True, max_length=1024, description="VirtualMachine"),
        _PORT,
    ),
}
_EVERY_TYPE_FIELDS = Fields(
    Number(name="connections", default=1, minimum=1, maximum=MAX_CONNECTIONS),
    Text(name="comment", default="", max_length=1024),
)
# The body of the typed routes, whose path names the type: every type's fields, those of the
# type required (a PUT keeps what it leaves out).
FIELDS = Fields(
    *dict.fromkeys(field for own in TYPE_FIELDS.values() for field in own), *_EVERY_TYPE_FIELDS
).optional()


STATE_FIELDS = Fields(Flag(name="enabled", required=True, description="true opens, false closes"))


def _specific(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The type's own fields and the local port, which an instance number decides."""
    values = TYPE_FIELDS[kind].read(data)
    if kind in (ABAP_CLOUD, ABAP_CLOUD_SNC):
        values["port"] = (4800 if kind == ABAP_CLOUD_SNC else 3300) + values["instanceNumber"]
    elif kind == HANA:
        values["port"] = 30015 + 100 * values["instanceNumber"]
    return values


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
    return {**_specific(kind, merged), **_EVERY_TYPE_FIELDS.read(merged)}


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


GENERIC_FIELDS = Fields(
    Choice(name="typeKey", required=True, values=tuple(GENERIC_KEYS.values())),
    Text(
        name="details",
        required=True,
        max_length=1024,
        description="the HANA instance, the virtual machine or the ABAP Cloud tenant host",
    ),
    Number(
        name="serviceNumber",
        required=True,
        minimum=0,
        maximum=65535,
        description="the instance number; a virtual machine's port",
    ),
    Number(name="connectionCount", minimum=1, maximum=MAX_CONNECTIONS),
)


def from_generic(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The channel type and the typed request a generic one stands for."""
    values = GENERIC_FIELDS.read(data)
    kind = _GENERIC_TYPES[values["typeKey"]]
    typed: dict[str, Any] = {
        _DETAILS[kind]: values["details"],
        "port" if kind == VIRTUAL_MACHINE else "instanceNumber": values["serviceNumber"],
    }
    if values["connectionCount"] is not None:
        typed["connections"] = values["connectionCount"]
    return kind, typed


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

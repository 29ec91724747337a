"""System mappings: the fields, enums and JSON view of a virtual-to-internal host mapping."""

from __future__ import annotations

from typing import Any

from openscc import kinds
from openscc.config import paths
from openscc.config.access_control import (
    BLOCKED_USERS_SCHEMA,
    CLIENTS_SCHEMA,
    parse_blocked_users,
    parse_clients,
)
from openscc.config.values import AnyCaseChoice, Fields, Port, Structured, Text
from openscc.store.records import EntityRecord

PROTOCOLS = ("HTTP", "HTTPS", "RFC", "RFCS", "LDAP", "LDAPS", "TCP", "TCPS")
BACKEND_TYPES = (
    "abapSys",
    "netweaverCE",
    "netweaverGW",
    "applServerJava",
    "BC",
    "PI",
    "hana",
    "otherSAPsys",
    "nonSAPsys",
)
AUTHENTICATION_MODES = ("NONE", "NONE_RESTRICTED", "X509_GENERAL", "X509_RESTRICTED", "KERBEROS")
HOST_IN_HEADER = ("INTERNAL", "VIRTUAL")
_OPTIONAL_TEXT = ("sid", "description", "sncPartnerName", "sapRouter")

_FIELDS = Fields(
    Text(name="virtualHost", required=True, max_length=253, host=True),
    Port(name="virtualPort", required=True),
    Text(name="localHost", required=True, max_length=253, host=True),
    Port(name="localPort", required=True),
    AnyCaseChoice(name="protocol", required=True, values=PROTOCOLS),
    AnyCaseChoice(name="backendType", required=True, values=BACKEND_TYPES),
    AnyCaseChoice(name="authenticationMode", values=AUTHENTICATION_MODES, default="NONE"),
    *(Text(name=name, max_length=1024) for name in _OPTIONAL_TEXT),
    Structured(
        name="allowedClients",
        json_schema={**CLIENTS_SCHEMA, "description": "empty: every client is allowed"},
        parser=parse_clients,
    ),
    Structured(
        name="blacklistedUsers", json_schema=BLOCKED_USERS_SCHEMA, parser=parse_blocked_users
    ),
)
# Read for HTTP and HTTPS mappings only; the others have no Host header to set.
_HOST_IN_HEADER = AnyCaseChoice(name="hostInHeader", values=HOST_IN_HEADER, default="VIRTUAL")
FIELDS = Fields(*_FIELDS, _HOST_IN_HEADER)
# A PUT names what changes; the rest stays (virtualHost and virtualPort cannot change).
UPDATE_FIELDS = FIELDS.optional()


def parse(data: dict[str, Any], existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of a mapping from a POST (``existing`` None) or a PUT (fields absent stay)."""
    merged = {**(existing or {}), **{k: v for k, v in data.items() if v is not None}}
    values = _FIELDS.read(merged)
    body: dict[str, Any] = {
        name: values[name]
        for name in (
            "virtualHost",
            "virtualPort",
            "localHost",
            "localPort",
            "protocol",
            "backendType",
            "authenticationMode",
        )
    }
    if body["protocol"] in ("HTTP", "HTTPS"):
        body["hostInHeader"] = _HOST_IN_HEADER.read(merged)
    body |= {name: values[name] for name in _OPTIONAL_TEXT if values[name] is not None}
    body["allowedClients"] = values["allowedClients"] or []
    body["blacklistedUsers"] = values["blacklistedUsers"] or []
    return body


def record(sa_key: str, body: dict[str, Any]) -> EntityRecord:
    key = kinds.mapping_key(sa_key, body["virtualHost"], body["virtualPort"])
    return EntityRecord(kind=kinds.SYSTEM_MAPPING, key=key, parent=sa_key, body=body)


def mapping_path(sa_body: dict[str, Any], body: dict[str, Any]) -> str:
    sa = paths.subaccount_path(sa_body["regionHost"], sa_body["subaccount"])
    return paths.mapping_path(sa, body["virtualHost"], body["virtualPort"])


def view(base: str, path: str, body: dict[str, Any], total: int, enabled: int) -> dict[str, Any]:
    """The mapping as the product shows it; optional texts only when they were given."""
    out: dict[str, Any] = {
        "virtualHost": body["virtualHost"],
        "virtualPort": body["virtualPort"],
        "localHost": body["localHost"],
        "localPort": body["localPort"],
        "creationDate": str(body["creationDate"]),
        "protocol": body["protocol"],
        "backendType": body["backendType"],
    }
    if "hostInHeader" in body:
        out["hostInHeader"] = body["hostInHeader"]
    if "sid" in body:
        out["sid"] = body["sid"]
    out["totalResourcesCount"] = total
    out["enabledResourcesCount"] = enabled
    out["authenticationMode"] = body["authenticationMode"]
    for field in ("description", "sncPartnerName", "sapRouter"):
        if field in body:
            out[field] = body[field]
    out["allowedClients"] = list(body.get("allowedClients", []))
    out["blacklistedUsers"] = [dict(u) for u in body.get("blacklistedUsers", [])]
    out["_links"] = {
        "self": paths.href(base, path),
        "resources": paths.href(base, f"{path}/resources"),
    }
    return out

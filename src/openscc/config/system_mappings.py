"""System mappings: the fields, enums and JSON view of a virtual-to-internal host mapping."""

from __future__ import annotations

from typing import Any

from openscc import kinds
from openscc.config import paths
from openscc.config.access_control import parse_blocked_users, parse_clients
from openscc.config.values import host, opt_str, port_text, present, req_str
from openscc.errors import InvalidRequest
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


def _enum(data: dict[str, Any], field: str, allowed: tuple[str, ...], default: str | None) -> str:
    value = opt_str(data, field, default)
    if value is None:
        raise InvalidRequest(f"{field} is required")
    # Clients send enum values in either case; store the product's spelling.
    for choice in allowed:
        if choice.lower() == value.strip().lower():
            return choice
    raise InvalidRequest(f"{field} must be one of {', '.join(allowed)}")


def parse(data: dict[str, Any], existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of a mapping from a POST (``existing`` None) or a PUT (fields absent stay)."""
    merged = {**(existing or {}), **{k: v for k, v in data.items() if v is not None}}
    body: dict[str, Any] = {
        "virtualHost": host(req_str(merged, "virtualHost", max_length=253), "virtualHost"),
        "virtualPort": port_text(merged, "virtualPort"),
        "localHost": host(req_str(merged, "localHost", max_length=253), "localHost"),
        "localPort": port_text(merged, "localPort"),
        "protocol": _enum(merged, "protocol", PROTOCOLS, None),
        "backendType": _enum(merged, "backendType", BACKEND_TYPES, None),
        "authenticationMode": _enum(merged, "authenticationMode", AUTHENTICATION_MODES, "NONE"),
    }
    if body["protocol"] in ("HTTP", "HTTPS"):
        body["hostInHeader"] = _enum(merged, "hostInHeader", HOST_IN_HEADER, "VIRTUAL")
    for field in _OPTIONAL_TEXT:
        value = opt_str(merged, field, max_length=1024)
        if value is not None:
            body[field] = value
    body["allowedClients"] = (
        parse_clients(merged["allowedClients"]) if present(merged, "allowedClients") else []
    )
    body["blacklistedUsers"] = (
        parse_blocked_users(merged["blacklistedUsers"])
        if present(merged, "blacklistedUsers")
        else []
    )
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

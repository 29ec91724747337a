"""Subaccounts: validation of create/update requests, the stored entity and its JSON view.

Stored body: the non-sensitive settings, the locally generated certificate and the tunnel state.
Secret: the private key, and the cloud password or authentication data used to add it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from openscc import kinds
from openscc.cloud import DISCONNECTED, TunnelOutcome
from openscc.config import certs, paths
from openscc.config.values import host, identifier, opt_bool, opt_str, present, req_str
from openscc.errors import Forbidden, InvalidRequest
from openscc.kinds import KEY_SEPARATOR
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

# Link names in the order the product sends them.
_CHANNEL_LINKS = ("ABAPCloud", "HANA", "K8S", "VirtualMachine")


@dataclass(frozen=True, kw_only=True, slots=True)
class NewSubaccount:
    region_host: str
    subaccount: str
    cloud_user: str
    secret: dict[str, str]  # cloudPassword or authenticationData
    settings: dict[str, Any]


def _decode_authentication_data(text: str) -> dict[str, Any]:
    """The JSON object in ``authenticationData`` (given as JSON text or base64 of it)."""
    candidates = [text]
    with contextlib.suppress(binascii.Error, UnicodeDecodeError, ValueError):
        candidates.append(base64.b64decode(text.strip(), validate=True).decode("utf-8"))
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    raise InvalidRequest("authenticationData is not valid authentication data")


def _first(data: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _settings(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "locationID": opt_str(data, "locationID", "", max_length=255) or "",
        "displayName": opt_str(data, "displayName", "", max_length=255) or "",
        "description": opt_str(data, "description", "") or "",
        "autoCertRenewal": opt_bool(data, "autoCertRenewal", False),
        "isManaged": opt_bool(data, "isManaged", False),
    }


def parse_new(data: dict[str, Any]) -> NewSubaccount:
    """Validate a create request: cloud user and password, or authentication data (2.17+)."""
    settings = _settings(data)
    if present(data, "authenticationData"):
        text = req_str(data, "authenticationData", max_length=64 * 1024)
        decoded = _decode_authentication_data(text)
        region = _first(decoded, ("regionHost", "region", "regionHostName"))
        subaccount = _first(decoded, ("subaccount", "subaccountId", "subaccountID"))
        if region is None or subaccount is None:
            raise InvalidRequest("authenticationData names no region host and subaccount")
        user = _first(decoded, ("user", "cloudUser", "email")) or ""
        secret = {"authenticationData": text}
    else:
        region = req_str(data, "regionHost", max_length=253)
        subaccount = req_str(data, "subaccount", max_length=128)
        user = req_str(data, "cloudUser", max_length=255)
        secret = {"cloudPassword": req_str(data, "cloudPassword")}
    return NewSubaccount(
        region_host=host(region, "regionHost"),
        subaccount=identifier(subaccount, "subaccount"),
        cloud_user=user,
        secret=secret,
        settings=settings,
    )


def apply_update(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The body after a PUT: absent fields stay, empty strings clear."""
    updated = dict(body)
    for field, limit in (("locationID", 255), ("displayName", 255), ("description", 4096)):
        value = opt_str(data, field, max_length=limit)
        if value is not None:
            updated[field] = value
    for flag in ("autoCertRenewal", "isManaged"):
        updated[flag] = opt_bool(data, flag, bool(body.get(flag, False)))
    return updated


def local_certificate(region_host: str, subaccount: str) -> certs.KeyPair:
    """The subaccount's key pair; made here, not by SAP BTP, which openscc does not reach."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "openscc"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, region_host),
            x509.NameAttribute(NameOID.COMMON_NAME, subaccount),
        ]
    )
    return certs.self_signed(subject, days=365)


def new_record(new: NewSubaccount, pair: certs.KeyPair, tunnel: TunnelOutcome) -> EntityRecord:
    body: dict[str, Any] = {
        "regionHost": new.region_host,
        "subaccount": new.subaccount,
        **new.settings,
        "cloudUser": new.cloud_user,
        "certificatePem": pair.certificate_pem,
        "autoSyncTrustEnabled": False,
        **tunnel_fields(tunnel),
    }
    return EntityRecord(
        kind=kinds.SUBACCOUNT,
        key=kinds.subaccount_key(new.region_host, new.subaccount),
        parent=None,
        body=body,
        secret={"privateKeyPem": pair.private_key_pem, **new.secret},
    )


def tunnel_fields(tunnel: TunnelOutcome) -> dict[str, Any]:
    return {
        "tunnelState": tunnel.state,
        "connectedSince": tunnel.connected_since_ms,
        "tunnelMessage": tunnel.message,
    }


def disconnected() -> TunnelOutcome:
    return TunnelOutcome(
        state=DISCONNECTED, connected_since_ms=0, message="Disconnected on request"
    )


def links(base: str, body: dict[str, Any]) -> dict[str, Any]:
    sa = paths.subaccount_path(body["regionHost"], body["subaccount"])
    channel = {f"{t}-channels": paths.href(base, f"{sa}/channels/{t}") for t in _CHANNEL_LINKS}
    return {
        "ABAPCloud-channels": channel["ABAPCloud-channels"],
        "HANA-channels": channel["HANA-channels"],
        "systemMappings": paths.href(base, f"{sa}/systemMappings"),
        "self": paths.href(base, sa),
        "K8S-channels": channel["K8S-channels"],
        "validity": paths.href(base, f"{sa}/validity"),
        "state": paths.href(base, f"{sa}/state"),
        "VirtualMachine-channels": channel["VirtualMachine-channels"],
        "domainMappings": paths.href(base, f"{sa}/domainMappings"),
    }


def summary_view(base: str, body: dict[str, Any]) -> dict[str, Any]:
    """One entry of the subaccount list."""
    return {
        "_links": links(base, body),
        "regionHost": body["regionHost"],
        "subaccount": body["subaccount"],
        "locationID": body.get("locationID", ""),
    }


def view(base: str, body: dict[str, Any]) -> dict[str, Any]:
    """The full subaccount, keys in the recorded order."""
    return {
        "description": body.get("description", ""),
        # The product shows the subaccount id when no display name was given.
        "displayName": body.get("displayName") or body["subaccount"],
        "autoCertRenewal": bool(body.get("autoCertRenewal", False)),
        "tunnel": {
            "state": body.get("tunnelState", DISCONNECTED),
            "connectedSinceTimeStamp": int(body.get("connectedSince", 0)),
            "connections": 0,
            "applicationConnections": [],
            "serviceChannels": [],
            "subaccountCertificate": certs.describe(body["certificatePem"]),
            "user": body.get("cloudUser", ""),
        },
        "isManaged": bool(body.get("isManaged", False)),
        "_links": links(base, body),
        "regionHost": body["regionHost"],
        "subaccount": body["subaccount"],
        "locationID": body.get("locationID", ""),
    }


def refuse_managed(store: EntityStore, region_host: str, subaccount: str) -> None:
    """Forbidden if this subaccount is managed: only the Administrator role may change a managed
    subaccount or its content (every role may read it), as the pages say."""
    record = store.get(kinds.SUBACCOUNT, kinds.subaccount_key(region_host, subaccount))
    if record is not None and record.body.get("isManaged"):
        raise Forbidden(
            "Access to managed subaccounts is reserved for the role Administrator "
            "for all methods except GET"
        )


def corrupted(store: EntityStore) -> list[dict[str, str]]:
    """``[{regionHost, subaccount}]`` of the subaccounts whose stored entity no longer reads: its
    body is not JSON or its secret (key, password) fails authentication under the master key."""
    found = []
    for key in store.unreadable(kinds.SUBACCOUNT):
        _kind, region_host, subaccount = key.split(KEY_SEPARATOR)
        found.append({"regionHost": region_host, "subaccount": subaccount})
    return found

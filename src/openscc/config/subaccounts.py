"""Subaccounts: validation of create/update requests, the stored entity and its JSON view.

Stored body: the non-sensitive settings, the locally generated certificate and the tunnel state.
Secret: the private key, and the cloud password or authentication data used to add it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from dataclasses import dataclass, replace
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from openscc import kinds
from openscc.cloud import DISCONNECTED, TunnelOutcome
from openscc.config import certs, paths
from openscc.config.values import Fields, Flag, Text, host, identifier
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


_SETTINGS = (
    Text(name="locationID", max_length=255, default=""),
    Text(name="displayName", max_length=255, default=""),
    Text(name="description", default=""),
    Flag(name="autoCertRenewal", default=False),
    Flag(name="isManaged", default=False),
)
_SETTING_NAMES = tuple(field.name for field in _SETTINGS)
_WITHOUT_AUTHENTICATION_DATA = "required without authenticationData"
AUTHENTICATION_DATA = Text(
    name="authenticationData",
    max_length=64 * 1024,
    secret=True,
    description="the subaccount's authentication data (JSON, or its base64) instead of the "
    "user and password",
)
CREATE_FIELDS = Fields(
    Text(name="regionHost", max_length=253, host=True, description=_WITHOUT_AUTHENTICATION_DATA),
    Text(name="subaccount", max_length=128, description=_WITHOUT_AUTHENTICATION_DATA),
    Text(name="cloudUser", max_length=255, description=_WITHOUT_AUTHENTICATION_DATA),
    Text(name="cloudPassword", secret=True, description=_WITHOUT_AUTHENTICATION_DATA),
    AUTHENTICATION_DATA,
    *_SETTINGS,
)
# A PUT changes the settings it names; "" clears a text.
UPDATE_FIELDS = Fields(*(replace(field, default=None) for field in _SETTINGS))
RENEWAL_FIELDS = Fields(
    Text(name="user", max_length=255, description=_WITHOUT_AUTHENTICATION_DATA),
    Text(name="password", secret=True, description=_WITHOUT_AUTHENTICATION_DATA),
    AUTHENTICATION_DATA,
)
STATE_FIELDS = Fields(Flag(name="connected", required=True))


def filled(values: dict[str, Any], name: str) -> str:
    """A value read from a request that this request needs: not absent, not blank."""
    value = values[name]
    if value is None or not value.strip():
        raise InvalidRequest(f"{name} is required")
    return str(value)


def parse_new(data: dict[str, Any]) -> NewSubaccount:
    """Validate a create request: cloud user and password, or authentication data (2.17+)."""
    values = CREATE_FIELDS.read(data)
    if values["authenticationData"] is not None:
        text = filled(values, "authenticationData")
        decoded = _decode_authentication_data(text)
        region = _first(decoded, ("regionHost", "region", "regionHostName"))
        subaccount = _first(decoded, ("subaccount", "subaccountId", "subaccountID"))
        if region is None or subaccount is None:
            raise InvalidRequest("authenticationData names no region host and subaccount")
        user = _first(decoded, ("user", "cloudUser", "email")) or ""
        secret = {"authenticationData": text}
    else:
        region = filled(values, "regionHost")
        subaccount = filled(values, "subaccount")
        user = filled(values, "cloudUser")
        secret = {"cloudPassword": filled(values, "cloudPassword")}
    return NewSubaccount(
        region_host=host(region, "regionHost"),
        subaccount=identifier(subaccount, "subaccount"),
        cloud_user=user,
        secret=secret,
        settings={name: values[name] for name in _SETTING_NAMES},
    )


def apply_update(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The body after a PUT: absent fields stay, empty strings clear."""
    return {**body, **UPDATE_FIELDS.given(data)}


def renewal_secret(data: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    """(secret, cloud user) of a certificate renewal: the authentication data, or the cloud
    user and password (and that user)."""
    values = RENEWAL_FIELDS.read(data)
    if values["authenticationData"] is not None:
        return {"authenticationData": filled(values, "authenticationData")}, None
    return {"cloudPassword": filled(values, "password")}, filled(values, "user")


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

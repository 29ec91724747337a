"""The monitoring API's answers, built from the configuration and the figures: pure, no I/O.

Where the product reports traffic through the tunnel to SAP BTP (open backend connections, the
performance monitor, top time consumers, usage), openscc has none: the answers have the
documented shape, with every configured backend, resource and channel and zero traffic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from openscc.cloud import ChannelState
from openscc.config import certificate_inventory as inventory
from openscc.config import certs
from openscc.config import channels as channel_model
from openscc.config import subaccounts as subaccount_model
from openscc.config.certificate_inventory import Held

API_VERSION = 1
EXPIRED, EXPIRING, OK = "expired", "expiring", "ok"
SELECTIONS = (EXPIRED, EXPIRING, OK)
# The lower bounds (ms) of the performance monitor's call-duration buckets.
BUCKETS_MS = (0, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 3000, 5000, 10000)


@dataclass(frozen=True, kw_only=True, slots=True)
class Subaccount:
    """A subaccount with what the monitoring answers show of it."""

    body: dict[str, Any]
    mappings: list[Mapping] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)  # channel bodies


@dataclass(frozen=True, kw_only=True, slots=True)
class Mapping:
    body: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)  # resource bodies


ChannelStates = Callable[[dict[str, Any], dict[str, Any]], ChannelState | None]


def _names(sa: Subaccount) -> dict[str, Any]:
    return {
        "regionHost": sa.body["regionHost"],
        "subaccount": sa.body["subaccount"],
        "locationID": sa.body.get("locationID", ""),
    }


def subaccounts(base: str, items: Iterable[Subaccount], state: ChannelStates) -> dict[str, Any]:
    out = []
    for sa in items:
        full = subaccount_model.view(base, sa.body)
        tunnel = dict(full["tunnel"])  # with user, as real payloads carry it
        tunnel["serviceChannels"] = [
            channel_model.generic_view(c, state(sa.body, c)) for c in sa.channels
        ]
        out.append(
            {
                "regionHost": full["regionHost"],
                "subaccount": full["subaccount"],
                "displayName": full["displayName"],
                "description": full["description"],
                "locationID": full["locationID"],
                "tunnel": tunnel,
            }
        )
    return {"subaccounts": out, "version": API_VERSION}


def _backend_url(host: str, port: Any) -> str:
    return f"{host}:{port}"


def backend_connections(items: Iterable[Subaccount]) -> dict[str, Any]:
    """No connection is open without a tunnel: every subaccount, with no backend connection."""
    return {
        "subaccounts": [{"backendConnections": [], **_names(sa)} for sa in items],
        "version": API_VERSION,
    }


def channel_connections(items: Iterable[Subaccount], state: ChannelStates) -> dict[str, Any]:
    """The enabled service channels with the connections the tunnel reports open."""
    out = []
    for sa in items:
        opened = []
        for channel in sa.channels:
            now = state(sa.body, channel)
            if now is None:
                continue
            view = channel_model.generic_view(channel, now)
            opened.append(
                {
                    "port": view["port"],
                    "typeDesc": view["typeDesc"],
                    "connections": now.opened_connections,
                }
            )
        out.append({**_names(sa), "serviceChannelConnections": opened})
    return {"subaccounts": out, "version": API_VERSION}


def _since_text(since_ms: int) -> str:
    """The performance monitor's time format: 2017-05-11T15:48:42.084 +0200 (server's zone)."""
    moment = dt.datetime.fromtimestamp(since_ms / 1000, dt.UTC).astimezone()
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}"
        + (moment.strftime(" %z"))
    )


def backend_performance(items: Iterable[Subaccount], since_ms: int) -> dict[str, Any]:
    out = []
    for sa in items:
        backends = [
            {
                "virtualHost": m.body["virtualHost"],
                "virtualPort": str(m.body["virtualPort"]),
                "protocol": m.body.get("protocol", ""),
                "buckets": [
                    {"numberOfCalls": 0, "minimumCallDurationMs": bound} for bound in BUCKETS_MS
                ],
            }
            for m in sa.mappings
        ]
        out.append(
            {"backendPerformance": backends, "sinceTime": _since_text(since_ms), **_names(sa)}
        )
    return {"subaccounts": out, "version": API_VERSION}


def top_time_consumers(items: Iterable[Subaccount], since_ms: int) -> dict[str, Any]:
    return {
        "subaccounts": [
            {"requests": [], "sinceTime": _since_text(since_ms), **_names(sa)} for sa in items
        ],
        "version": API_VERSION,
    }


def usage(items: Iterable[Subaccount], since_ms: int) -> dict[str, Any]:
    out = []
    for sa in items:
        backends = [
            {
                "virtualHost": m.body["virtualHost"],
                "virtualPort": str(m.body["virtualPort"]),
                "protocol": m.body.get("protocol", ""),
                "bytesReceived": 0,
                "bytesSent": 0,
                "calls": 0,
                "resources": [
                    {
                        "resourceName": r["id"],
                        "enabled": bool(r.get("enabled", False)),
                        "bytesReceived": 0,
                        "bytesSent": 0,
                        "calls": 0,
                    }
                    for r in m.resources
                ],
            }
            for m in sa.mappings
        ]
        channels = []
        for channel in sa.channels:
            view = channel_model.generic_view(channel, None)
            channels.append(
                {
                    "port": view["port"],
                    "typeDesc": view["typeDesc"],
                    "bytesReceived": 0,
                    "bytesSent": 0,
                }
            )
        out.append(
            {
                **_names(sa),
                # The names the product's payloads carry besides the documented ones.
                "subaccountName": sa.body["subaccount"],
                "subaccountRegion": sa.body["regionHost"],
                "usageStatistics": backends,
                "serviceChannelUsageStatistics": channels,
                "sinceTime": since_ms,
            }
        )
    return {"subaccounts": out, "version": API_VERSION}


def certificate_entry(item: Held) -> tuple[dict[str, Any], int]:
    """The certificate as the monitoring API lists it, and when it expires (epoch ms)."""
    cert = certs.load_certificate(item.pem)
    valid_to = int(cert.not_valid_after_utc.timestamp() * 1000)
    if item.role == inventory.SUBACCOUNT:
        entry: dict[str, Any] = {
            "type": item.role,
            "subaccountName": item.subaccount,
            "subaccountRegion": item.region_host,
        }
    else:
        entry = {
            "type": item.role,
            # As the product's monitoring shows names: "CN=a, OU=b" (the configuration API's
            # certificate descriptions have no spaces).
            "subjectDN": certs.dn_spaced(cert.subject),
            "issuerDN": certs.dn_spaced(cert.issuer),
            "serialNumber": certs.serial_text(cert.serial_number),
        }
        if item.entity:
            entry["alias"] = item.entity  # a trust store's certificate: which one
    entry["validTo"] = valid_to
    return entry, valid_to


def certificates(
    held: Iterable[Held], now_ms: int, days: int, *, trust_stores: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Expired; expiring in fewer than ``days`` days (the alerting configuration's); the rest.
    The documented types only, unless ``trust_stores``: openscc's TrustedBackend and
    TrustedEmailServer widen an enumeration clients switch on, so a client asks for them."""
    horizon = now_ms + days * 86_400_000
    lists: dict[str, list[dict[str, Any]]] = {EXPIRED: [], EXPIRING: [], OK: []}
    for item in held:
        if item.role in inventory.TRUST_STORE_ROLES and not trust_stores:
            continue
        try:
            entry, valid_to = certificate_entry(item)
        except ValueError:  # a certificate that cannot be read is left out, not the whole list
            continue
        selection = EXPIRED if valid_to <= now_ms else EXPIRING if valid_to < horizon else OK
        lists[selection].append(entry)
    return lists


def memory(physical: Any, virtual: Any, process: tuple[int, int]) -> dict[str, Any]:
    """KB, in the product's shape; the heap is the process's memory against its limit."""
    used, limit = process
    return {
        "physicalKB": _split_view(physical, 1024),
        "virtualKB": _split_view(virtual, 1024),
        "cloudConnectorHeapKB": {
            "total": limit // 1024,
            "used": used // 1024,
            "free": max(limit - used, 0) // 1024,
        },
    }


def disk(split: Any) -> dict[str, Any]:
    """MB, in the product's shape."""
    return _split_view(split, 1024 * 1024)


def _split_view(split: Any, unit: int) -> dict[str, int]:
    """In whole units, the parts adding up to the total."""
    total, mine, free = split.total // unit, split.openscc // unit, split.free // unit
    return {"total": total, "CloudConnector": mine, "others": total - mine - free, "free": free}


def cpu(total: float, mine: float) -> dict[str, float]:
    return {"total": total, "CloudConnector": mine}

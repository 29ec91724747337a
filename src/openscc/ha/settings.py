"""The two sides' high-availability settings, as the pages define them; stored as entities of
this instance (never replicated), so a backup keeps them.

Master: ``haEnabled`` (may a shadow connect), ``haPort`` (where shadows connect, default the UI
port), ``allowedShadowHost`` (empty: any host). Shadow: where the master is, its own host name as
the master sees it, its own HA port, and the timing of the health checks and the takeover.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

from openscc import kinds
from openscc.config.values import as_bool, as_int, host, opt_str, present
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

MASTER_FIELDS = ("haEnabled", "haPort", "allowedShadowHost")
SHADOW_FIELDS = (
    "masterHost",
    "masterPort",
    "ownHost",
    "haPort",
    "checkIntervalInSeconds",
    "takeoverDelayInSeconds",
    "connectTimeoutInMillis",
    "requestTimeoutInMillis",
)
# The product's defaults (its UI: check every 30 s, take over after 30 s more).
SHADOW_DEFAULTS: dict[str, Any] = {
    "masterHost": "",
    "masterPort": "",
    "ownHost": "",
    "checkIntervalInSeconds": 30,
    "takeoverDelayInSeconds": 30,
    "connectTimeoutInMillis": 1000,
    "requestTimeoutInMillis": 12000,
}
_LIMITS = {
    "checkIntervalInSeconds": (1, 3600),
    "takeoverDelayInSeconds": (0, 86_400),
    "connectTimeoutInMillis": (100, 600_000),
    "requestTimeoutInMillis": (100, 600_000),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class MasterSettings:
    ha_enabled: bool
    ha_port: int  # 0: the UI port
    allowed_shadow_host: str

    def view(self, ui_port: int) -> dict[str, Any]:
        return {
            "haEnabled": self.ha_enabled,
            "haPort": self.ha_port or ui_port,
            "allowedShadowHost": self.allowed_shadow_host,
        }

    def allows(self, address: str, resolved: frozenset[str]) -> bool:
        """Whether a shadow connecting from ``address`` (the connection's own, never what the
        shadow says of itself) may bind: no allowedShadowHost, or it is that address, or one of
        the addresses it resolves to (``resolved``)."""
        allowed = self.allowed_shadow_host.strip().lower()
        if not allowed:
            return True
        return _same_address(allowed, address) or any(_same_address(a, address) for a in resolved)


def resolve(host: str) -> frozenset[str]:
    """The addresses a host name resolves to (blocking: call it off the event loop)."""
    if not host:
        return frozenset()
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return frozenset()
    return frozenset(str(info[4][0]) for info in found)


def _same_address(one: str, other: str) -> bool:
    try:
        first, second = ipaddress.ip_address(one), ipaddress.ip_address(other)
    except ValueError:
        return False
    if isinstance(first, ipaddress.IPv6Address) and first.ipv4_mapped is not None:
        first = first.ipv4_mapped
    if isinstance(second, ipaddress.IPv6Address) and second.ipv4_mapped is not None:
        second = second.ipv4_mapped
    return first == second


@dataclass(frozen=True, kw_only=True, slots=True)
class ShadowSettings:
    master_host: str
    master_port: int  # 0: not set
    own_host: str
    ha_port: int  # 0: the UI port
    check_interval: int  # seconds
    takeover_delay: int  # seconds
    connect_timeout_ms: int
    request_timeout_ms: int

    @property
    def configured(self) -> bool:
        return bool(self.master_host and self.master_port)

    def view(self, ui_port: int) -> dict[str, Any]:
        return {
            "masterHost": self.master_host,
            "masterPort": str(self.master_port) if self.master_port else "",
            "ownHost": self.own_host,
            "haPort": self.ha_port or ui_port,
            "checkIntervalInSeconds": self.check_interval,
            "takeoverDelayInSeconds": self.takeover_delay,
            "connectTimeoutInMillis": self.connect_timeout_ms,
            "requestTimeoutInMillis": self.request_timeout_ms,
        }


def master_settings(store: EntityStore) -> MasterSettings:
    record = store.get(kinds.HA_MASTER_CONFIG, kinds.SINGLETON_KEY)
    body = record.body if record is not None else {}
    return MasterSettings(
        ha_enabled=bool(body.get("haEnabled", False)),
        ha_port=int(body.get("haPort", 0)),
        allowed_shadow_host=str(body.get("allowedShadowHost", "")),
    )


def parse_master(data: dict[str, Any], current: MasterSettings, ui_port: int) -> MasterSettings:
    """A PUT of the master settings: given fields change, the others stay."""
    _refuse_unknown(data, MASTER_FIELDS)
    enabled = current.ha_enabled
    if present(data, "haEnabled"):
        enabled = as_bool(data["haEnabled"], "haEnabled")
    port = current.ha_port
    if present(data, "haPort"):
        port = as_int(data["haPort"], "haPort", minimum=1, maximum=65535)
        port = 0 if port == ui_port else port
    allowed = current.allowed_shadow_host
    if present(data, "allowedShadowHost"):
        allowed = (opt_str(data, "allowedShadowHost", "", max_length=255) or "").strip()
        if allowed:
            host(allowed, "allowedShadowHost")
    return MasterSettings(ha_enabled=enabled, ha_port=port, allowed_shadow_host=allowed)


def save_master(store: EntityStore, settings: MasterSettings) -> None:
    body = {
        "haEnabled": settings.ha_enabled,
        "haPort": settings.ha_port,
        "allowedShadowHost": settings.allowed_shadow_host,
    }
    store.put(
        EntityRecord(kind=kinds.HA_MASTER_CONFIG, key=kinds.SINGLETON_KEY, parent=None, body=body)
    )


def shadow_settings(store: EntityStore) -> ShadowSettings:
    record = store.get(kinds.HA_SHADOW_CONFIG, kinds.SINGLETON_KEY)
    body = {**SHADOW_DEFAULTS, **(record.body if record is not None else {})}
    return ShadowSettings(
        master_host=str(body["masterHost"]),
        master_port=int(body["masterPort"] or 0),
        own_host=str(body["ownHost"]),
        ha_port=int(body.get("haPort", 0) or 0),
        check_interval=int(body["checkIntervalInSeconds"]),
        takeover_delay=int(body["takeoverDelayInSeconds"]),
        connect_timeout_ms=int(body["connectTimeoutInMillis"]),
        request_timeout_ms=int(body["requestTimeoutInMillis"]),
    )


def parse_shadow(data: dict[str, Any], current: ShadowSettings, ui_port: int) -> ShadowSettings:
    """A PUT of the shadow settings: given fields change, the others stay."""
    _refuse_unknown(data, SHADOW_FIELDS)
    values: dict[str, Any] = {
        "masterHost": current.master_host,
        "masterPort": current.master_port,
        "ownHost": current.own_host,
        "haPort": current.ha_port,
        "checkIntervalInSeconds": current.check_interval,
        "takeoverDelayInSeconds": current.takeover_delay,
        "connectTimeoutInMillis": current.connect_timeout_ms,
        "requestTimeoutInMillis": current.request_timeout_ms,
    }
    for name in ("masterHost", "ownHost"):
        if present(data, name):
            text = (opt_str(data, name, "", max_length=255) or "").strip()
            values[name] = host(text, name) if text else ""
    for name in ("masterPort", "haPort"):
        if present(data, name):
            values[name] = as_int(data[name], name, minimum=1, maximum=65535)
    if values["haPort"] == ui_port:
        values["haPort"] = 0
    for name, (low, high) in _LIMITS.items():
        if present(data, name):
            values[name] = as_int(data[name], name, minimum=low, maximum=high)
    return ShadowSettings(
        master_host=str(values["masterHost"]),
        master_port=int(values["masterPort"]),
        own_host=str(values["ownHost"]),
        ha_port=int(values["haPort"]),
        check_interval=int(values["checkIntervalInSeconds"]),
        takeover_delay=int(values["takeoverDelayInSeconds"]),
        connect_timeout_ms=int(values["connectTimeoutInMillis"]),
        request_timeout_ms=int(values["requestTimeoutInMillis"]),
    )


def save_shadow(store: EntityStore, settings: ShadowSettings) -> None:
    body = {
        "masterHost": settings.master_host,
        "masterPort": settings.master_port,
        "ownHost": settings.own_host,
        "haPort": settings.ha_port,
        "checkIntervalInSeconds": settings.check_interval,
        "takeoverDelayInSeconds": settings.takeover_delay,
        "connectTimeoutInMillis": settings.connect_timeout_ms,
        "requestTimeoutInMillis": settings.request_timeout_ms,
    }
    store.put(
        EntityRecord(kind=kinds.HA_SHADOW_CONFIG, key=kinds.SINGLETON_KEY, parent=None, body=body)
    )


def reset_master(store: EntityStore) -> None:
    """High availability off, any shadow host; the own HA port stays, as the product keeps it."""
    port = master_settings(store).ha_port
    save_master(store, MasterSettings(ha_enabled=False, ha_port=port, allowed_shadow_host=""))


def reset_shadow(store: EntityStore) -> None:
    """Forget the master's host and port; the own HA port stays, as the product keeps it."""
    own_port = shadow_settings(store).ha_port
    store.delete(kinds.HA_SHADOW_CONFIG, kinds.SINGLETON_KEY)
    if own_port:
        save_shadow(store, parse_shadow({"haPort": own_port}, shadow_settings(store), 0))


def _refuse_unknown(data: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InvalidRequest(
            f"unknown propert{'ies' if len(unknown) > 1 else 'y'}: {', '.join(unknown)}"
        )

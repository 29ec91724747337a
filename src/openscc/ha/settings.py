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
from openscc.config.values import Fields, Flag, Number, Text, host
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

# Host names are taken with blanks around them trimmed, so a host's pattern is checked in code.
MASTER_FIELDS = Fields(
    Flag(name="haEnabled", description="whether a shadow may connect"),
    Number(name="haPort", minimum=1, maximum=65535,
           description="where a shadow connects; the UI port by default"),
    Text(name="allowedShadowHost", max_length=255,
         description="the host name or address a shadow may connect from; empty: any"),
)  # fmt: skip
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
SHADOW_FIELDS = Fields(
    Text(name="masterHost", max_length=255, description="the master's host name or address"),
    Number(name="masterPort", minimum=1, maximum=65535, description="the master's HA port"),
    Text(name="ownHost", max_length=255,
         description="this shadow's host name as the master sees it; empty: its own name"),
    Number(name="haPort", minimum=1, maximum=65535,
           description="where the master reaches this shadow; the UI port by default"),
    Number(name="checkIntervalInSeconds", minimum=1, maximum=3600),
    Number(name="takeoverDelayInSeconds", minimum=0, maximum=86_400),
    Number(name="connectTimeoutInMillis", minimum=100, maximum=600_000),
    Number(name="requestTimeoutInMillis", minimum=100, maximum=600_000),
)  # fmt: skip


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
    given = MASTER_FIELDS.given(data)
    port = current.ha_port
    if "haPort" in given:
        port = 0 if given["haPort"] == ui_port else given["haPort"]
    allowed = current.allowed_shadow_host
    if "allowedShadowHost" in given:
        allowed = _host_or_empty(given["allowedShadowHost"], "allowedShadowHost")
    return MasterSettings(
        ha_enabled=given.get("haEnabled", current.ha_enabled),
        ha_port=port,
        allowed_shadow_host=allowed,
    )


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
    given = SHADOW_FIELDS.given(data)
    for name in ("masterHost", "ownHost"):
        if name in given:
            given[name] = _host_or_empty(given[name], name)
    ha_port = given.get("haPort", current.ha_port)
    return ShadowSettings(
        master_host=given.get("masterHost", current.master_host),
        master_port=given.get("masterPort", current.master_port),
        own_host=given.get("ownHost", current.own_host),
        ha_port=0 if ha_port == ui_port else ha_port,
        check_interval=given.get("checkIntervalInSeconds", current.check_interval),
        takeover_delay=given.get("takeoverDelayInSeconds", current.takeover_delay),
        connect_timeout_ms=given.get("connectTimeoutInMillis", current.connect_timeout_ms),
        request_timeout_ms=given.get("requestTimeoutInMillis", current.request_timeout_ms),
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


def _host_or_empty(text: str, name: str) -> str:
    text = text.strip()
    return host(text, name) if text else ""


def _refuse_unknown(data: dict[str, Any], known: Fields) -> None:
    unknown = sorted(set(data) - {field.name for field in known})
    if unknown:
        raise InvalidRequest(
            f"unknown propert{'ies' if len(unknown) > 1 else 'y'}: {', '.join(unknown)}"
        )

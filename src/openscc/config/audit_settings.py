"""Audit log settings: the cross-subaccount level and cleanup, and each subaccount's level.

Levels, as the product's audit log defines them: ``OFF`` records nothing; ``SECURITY`` (the
default) records security events: logons, refused requests and configuration changes; ``ALL``
records, besides, every request that was allowed. Events about a subaccount (requests whose path
names it) follow that subaccount's level, every other event the cross-subaccount level. The
levels live in ``openscc.audit.AuditLog``; this module stores and validates them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from openscc import kinds
from openscc.audit import AUDIT_LEVELS, DEFAULT_LEVEL
from openscc.config.setting_entities import ConnectorSetting, SubaccountSetting
from openscc.config.values import AnyCaseChoice, Fields, Structured, as_int
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore

KIND = kinds.AUDIT_LOG
SUBACCOUNT_KIND = kinds.SUBACCOUNT_AUDIT_LOG
CLEANUP_DAYS = (0, 14, 30, 90, 180, 365)  # 0: never remove
DEFAULTS: dict[str, Any] = {"level": DEFAULT_LEVEL, "cleanup": 0}


def _cleanup(value: Any, name: str) -> int:
    days = as_int(value, name, minimum=0, maximum=365)
    if days not in CLEANUP_DAYS:
        raise InvalidRequest(
            f"{name} must be 0 (never remove logs) or one of {', '.join(map(str, CLEANUP_DAYS[1:]))}"
        )
    return days


LEVEL = AnyCaseChoice(name="level", values=AUDIT_LEVELS)
CLEANUP = Structured(
    name="cleanup",
    json_schema={
        "anyOf": [
            {"type": "integer", "enum": list(CLEANUP_DAYS)},
            {"type": "string", "enum": [str(days) for days in CLEANUP_DAYS]},
        ],
        "description": "days after which logs are removed; 0: never",
    },
    parser=_cleanup,
)
# A PATCH gives either or both; ``logPath`` cannot be changed here, as in the product, and a
# client sending it back has it ignored.
FIELDS = Fields(LEVEL, CLEANUP)
SUBACCOUNT_FIELDS = Fields(replace(LEVEL, required=True))


def patched(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The settings after a PATCH: given properties replace, the rest keep their values."""
    return {**DEFAULTS, **body, **FIELDS.given(data)}


def subaccount_level_given(data: dict[str, Any]) -> str:
    return str(SUBACCOUNT_FIELDS.read(data)["level"])


CONNECTOR_SETTING = ConnectorSetting(KIND, DEFAULTS)
SUBACCOUNT_SETTING = SubaccountSetting(SUBACCOUNT_KIND, {"level": DEFAULT_LEVEL})
settings = CONNECTOR_SETTING.read
save = CONNECTOR_SETTING.write


def subaccount_level(store: EntityStore, sa_key: str) -> str:
    return str(SUBACCOUNT_SETTING.read(store, sa_key)["level"])


def subaccount_level_of(store: EntityStore, region_host: str, subaccount: str) -> str:
    """The level of a subaccount named in a request path (the default if it has none, or if
    there is no such subaccount: then the request fails and is recorded as refused or not)."""
    return subaccount_level(store, kinds.subaccount_key(region_host, subaccount))


def save_subaccount_level(store: EntityStore, sa_key: str, new_level: str) -> None:
    SUBACCOUNT_SETTING.write(store, sa_key, {"level": new_level})

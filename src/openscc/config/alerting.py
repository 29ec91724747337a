"""The alerting configuration: thresholds, and which alert categories are e-mailed.

One singleton entity holds the whole configuration, defaults filled in, so what is stored is
what is in force. The defaults are the product's (SAP's Alerting page): CPU load 90 % for 60
seconds, 10 MB of free disk space, certificates 30 days before they expire, and every category
e-mailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openscc import kinds
from openscc.config.values import Fields, Structured, as_bool, as_int
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

THRESHOLDS = "thresholds"
NOTIFICATION = "notification"
CERTIFICATE_DAYS = "certificateValidityDays"
AUDIT_LOG_DISK = "freeDiscForAuditLogMb"
TRACE_DISK = "freeDiscForTraceMb"
_MAX_MB = 10_000_000  # 10 TB


@dataclass(frozen=True, slots=True)
class Threshold:
    default: int
    minimum: int
    maximum: int


# In the documented order. The product accepts 0 for the CPU values (its own example alert
# reads "CPU load exceeded 0 percent for more than 0 seconds").
_ALWAYS = {
    "cpuLoad": Threshold(90, 0, 100),
    "cpuLoadViolationToleranceSec": Threshold(60, 0, 86_400),
    "freeDiskSpaceMb": Threshold(10, 0, _MAX_MB),
    CERTIFICATE_DAYS: Threshold(30, 0, 3_650),
}
# Shown only once set, or (the audit log's) when the audit log is kept outside the data folder.
_OPTIONAL = {
    AUDIT_LOG_DISK: Threshold(10, 0, _MAX_MB),
    TRACE_DISK: Threshold(10, 0, _MAX_MB),
}
CATEGORIES = (
    "ha",
    "tunnels",
    "serviceChannels",
    "CPU",
    "freeDiskSpace",
    "certificates",
    "troubleshooting",
)


def defaults() -> dict[str, Any]:
    return {
        THRESHOLDS: {name: limits.default for name, limits in _ALWAYS.items()},
        NOTIFICATION: dict.fromkeys(CATEGORIES, True),
    }


def current(store: EntityStore) -> dict[str, Any]:
    """The configuration in force: the stored one, or the defaults."""
    record = store.get(kinds.ALERTING, kinds.SINGLETON_KEY)
    return _complete(record.body) if record is not None else defaults()


def save(store: EntityStore, body: dict[str, Any]) -> None:
    store.put(EntityRecord(kind=kinds.ALERTING, key=kinds.SINGLETON_KEY, parent=None, body=body))


def view(body: dict[str, Any], *, external_audit_log: bool) -> dict[str, Any]:
    """The GET answer: {thresholds, notification}."""
    thresholds = dict(body[THRESHOLDS])
    if external_audit_log:
        thresholds.setdefault(AUDIT_LOG_DISK, _OPTIONAL[AUDIT_LOG_DISK].default)
    return {THRESHOLDS: thresholds, NOTIFICATION: dict(body[NOTIFICATION])}


def _thresholds(value: Any, section: str) -> dict[str, int | None]:
    """The thresholds a request gives, each checked against its limits; None resets one."""
    checked: dict[str, int | None] = {}
    for name, number in _section(value, section, {*_ALWAYS, *_OPTIONAL}).items():
        limits = _ALWAYS.get(name) or _OPTIONAL[name]
        checked[name] = (
            None
            if number is None
            else as_int(number, f"{section}.{name}", minimum=limits.minimum, maximum=limits.maximum)
        )
    return checked


def _notification(value: Any, section: str) -> dict[str, bool | None]:
    """The categories a request gives, mailed or not; None resets one."""
    given = _section(value, section, set(CATEGORIES))
    return {
        name: None if flag is None else as_bool(flag, f"{section}.{name}")
        for name, flag in given.items()
    }


def _section(value: Any, section: str, names: set[str]) -> dict[str, Any]:
    """400 for a section that is not an object or names what it does not hold. An unknown name
    is refused rather than ignored: a setting that silently does nothing is worse."""
    if not isinstance(value, dict):
        raise InvalidRequest(f"{section} must be a JSON object")
    for name in value:
        if name not in names:
            raise InvalidRequest(_unknown_name(section, name))
    return value


_NULL_RESETS = "; null resets a value to its default"
FIELDS = Fields(
    Structured(
        name=THRESHOLDS,
        json_schema={
            "type": "object",
            "properties": {
                name: {
                    "type": ["integer", "null"],
                    "minimum": limits.minimum,
                    "maximum": limits.maximum,
                }
                for name, limits in {**_ALWAYS, **_OPTIONAL}.items()
            },
            "additionalProperties": False,
            "description": "limits that raise an alert" + _NULL_RESETS,
        },
        parser=_thresholds,
    ),
    Structured(
        name=NOTIFICATION,
        json_schema={
            "type": "object",
            "properties": {category: {"type": ["boolean", "null"]} for category in CATEGORIES},
            "additionalProperties": False,
            "description": "the alert categories e-mailed" + _NULL_RESETS,
        },
        parser=_notification,
    ),
)


def replaced(_current: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """PUT: the new configuration; what the request leaves out takes its default."""
    return changed(defaults(), data)


def changed(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """PATCH: ``body`` with the values the request gives; ``null`` resets a value."""
    if not data:
        raise InvalidRequest("the request is empty: give thresholds, notification or both")
    unknown = sorted(set(data) - {THRESHOLDS, NOTIFICATION})
    if unknown:
        raise InvalidRequest(
            f"unknown field {unknown[0]!r}; the alerting configuration has thresholds and "
            "notification"
        )
    given = FIELDS.given(data)
    thresholds = dict(body[THRESHOLDS])
    for name, number in given.get(THRESHOLDS, {}).items():
        if number is not None:
            thresholds[name] = number
        elif name in _ALWAYS:
            thresholds[name] = _ALWAYS[name].default
        else:
            thresholds.pop(name, None)
    notification = dict(body[NOTIFICATION])
    for name, flag in given.get(NOTIFICATION, {}).items():
        notification[name] = True if flag is None else flag
    return {THRESHOLDS: thresholds, NOTIFICATION: notification}


def certificate_days(body: dict[str, Any]) -> int:
    return int(body[THRESHOLDS][CERTIFICATE_DAYS])


def notifies(body: dict[str, Any], category: str) -> bool:
    return bool(body[NOTIFICATION].get(category, True))


def _unknown_name(section: str, name: str) -> str:
    other = NOTIFICATION if section == THRESHOLDS else THRESHOLDS
    if name in ({*_ALWAYS, *_OPTIONAL} if other == THRESHOLDS else set(CATEGORIES)):
        return f"{section}.{name} is unknown: {name} belongs in {other}"
    return f"{section}.{name} is unknown"


def _complete(body: dict[str, Any]) -> dict[str, Any]:
    """A stored body with any value it lacks (one from an older version) at its default."""
    full = defaults()
    stored_thresholds = body.get(THRESHOLDS)
    if isinstance(stored_thresholds, dict):
        full[THRESHOLDS].update(stored_thresholds)
    stored_notification = body.get(NOTIFICATION)
    if isinstance(stored_notification, dict):
        full[NOTIFICATION].update(stored_notification)
    return full

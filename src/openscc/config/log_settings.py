"""Log and trace settings: the levels of openscc's loggers and of all others, and the per-subaccount
trace switches.

The documented levels map to Python's logging levels; ``sccLogLevel`` sets the ``openscc``
logger (every ``openscc.*`` logger inherits it), ``otherLogLevel`` the root logger and uvicorn's
loggers (which carry levels of their own). They apply at every start and at once on a change.

The other settings are stored, validated and answered as the product does, but change nothing in
openscc: it writes its log to standard error (no trace files to roll over or clean up), has no
TLS trace, no CPIC layer and no tunnel traffic to trace.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from openscc import kinds
from openscc.config.setting_entities import ConnectorSetting, SubaccountSetting
from openscc.config.values import AnyCaseChoice, Fields, Flag, Number, Structured
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore

KIND = kinds.LOG_AND_TRACE
SUBACCOUNT_KIND = kinds.SUBACCOUNT_TRACE

TRACE = 5  # below DEBUG; uvicorn names it TRACE too
LEVELS = {
    "OFF": logging.CRITICAL + 10,  # above every level a record can have
    "ERROR": logging.ERROR,
    "WARN": logging.WARNING,
    "INFO": logging.INFO,
    "DEBUG": logging.DEBUG,
    "TRACE": TRACE,
    "ALL": 1,  # not 0: NOTSET would mean "inherit"
}
OPENSCC_LOGGER = "openscc"
# uvicorn sets levels on these at every start; "other" loggers otherwise inherit the root's.
_OTHER_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

DEFAULTS: dict[str, Any] = {
    "sccLogLevel": "INFO",
    "otherLogLevel": "INFO",
    "tlsTrace": False,
    "cpicTraceLevel": 0,
    "cleanup": 0,
    "rolloverThreshold": "20 MB",
}
SUBACCOUNT_DEFAULTS: dict[str, Any] = {"trafficTrace": False, "payloadSncTrace": False}
MAX_CLEANUP_DAYS = 3650
MAX_ROLLOVER_MB = 10_000
_MEGABYTES = re.compile(r"^\s*(\d{1,9})\s*MB\s*$", re.IGNORECASE)


def _megabytes(value: Any, name: str) -> str:
    match = _MEGABYTES.match(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidRequest(f"{name} must be a size in megabytes with its unit, e.g. '75 MB'")
    size = int(match.group(1))
    if not 1 <= size <= MAX_ROLLOVER_MB:
        raise InvalidRequest(f"{name} must be between 1 MB and {MAX_ROLLOVER_MB} MB")
    return f"{size} MB"


FIELDS = Fields(
    AnyCaseChoice(name="sccLogLevel", values=tuple(LEVELS)),
    AnyCaseChoice(name="otherLogLevel", values=tuple(LEVELS)),
    Flag(name="tlsTrace"),
    Number(name="cpicTraceLevel", minimum=0, maximum=3),
    Number(name="cleanup", minimum=0, maximum=MAX_CLEANUP_DAYS),
    Structured(
        name="rolloverThreshold",
        json_schema={
            "type": "string",
            "pattern": r"^\s*\d{1,9}\s*[Mm][Bb]\s*$",
            "description": f"1 to {MAX_ROLLOVER_MB} megabytes with the unit, e.g. '75 MB'",
        },
        parser=_megabytes,
    ),
)
SUBACCOUNT_FIELDS = Fields(*(Flag(name=name) for name in SUBACCOUNT_DEFAULTS))


def patched(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The settings after a PATCH: given properties replace, the rest keep their values. The
    read-only ``isTlsTraceActive`` and ``logAndTracePath`` a client may send back are ignored."""
    return {**DEFAULTS, **body, **FIELDS.given(data)}


def patched_subaccount(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {**SUBACCOUNT_DEFAULTS, **body, **SUBACCOUNT_FIELDS.given(data)}


CONNECTOR_SETTING = ConnectorSetting(KIND, DEFAULTS)
SUBACCOUNT_SETTING = SubaccountSetting(SUBACCOUNT_KIND, SUBACCOUNT_DEFAULTS)
settings = CONNECTOR_SETTING.read
save = CONNECTOR_SETTING.write
subaccount_settings = SUBACCOUNT_SETTING.read
save_subaccount = SUBACCOUNT_SETTING.write


def apply_levels(body: dict[str, Any]) -> None:
    """Set openscc's loggers and all others to the stored levels (process-wide)."""
    logging.getLogger(OPENSCC_LOGGER).setLevel(LEVELS[body.get("sccLogLevel", "INFO")])
    other = LEVELS[body.get("otherLogLevel", "INFO")]
    for name in _OTHER_LOGGERS:
        logging.getLogger(name).setLevel(other)


def apply_stored_levels(store: EntityStore) -> None:
    apply_levels(settings(store))

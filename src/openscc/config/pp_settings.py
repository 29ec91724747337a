"""Principal propagation settings: how long a principal outlives its token, how long a generated
short-lived certificate is valid. Stored and answered; openscc issues no such certificates (it
has no tunnel to receive principals from)."""

from __future__ import annotations

from typing import Any

from openscc import kinds
from openscc.config.setting_entities import ConnectorSetting
from openscc.config.values import as_int
from openscc.errors import InvalidRequest

KIND = kinds.PP_SETTINGS
# field -> (minimum, maximum), as the page gives them: 14 days in hours, 30 days in minutes.
RANGES = {"expirationToleranceInHr": (1, 336), "certificateValidityInMin": (1, 43200)}
DEFAULTS = {"expirationToleranceInHr": 1, "certificateValidityInMin": 60}


def _given(data: dict[str, Any]) -> dict[str, int]:
    values = {}
    for field, (low, high) in RANGES.items():
        if data.get(field) is not None:
            values[field] = as_int(data[field], field, minimum=low, maximum=high)
    return values


def parse_put(data: dict[str, Any]) -> dict[str, int]:
    """Both values, required."""
    values = _given(data)
    missing = [field for field in RANGES if field not in values]
    if missing:
        raise InvalidRequest(f"{' and '.join(missing)} must be set")
    return values


def parse_patch(body: dict[str, int], data: dict[str, Any]) -> dict[str, int]:
    """One value or both; the other keeps its value."""
    values = _given(data)
    if not values:
        raise InvalidRequest(f"give {' or '.join(RANGES)}")
    return {**body, **values}


SETTING = ConnectorSetting(KIND, DEFAULTS)
settings = SETTING.read
save = SETTING.write

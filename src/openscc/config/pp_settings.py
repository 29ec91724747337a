"""Principal propagation settings: how long a principal outlives its token, how long a generated
short-lived certificate is valid. Stored and answered; openscc issues no such certificates (it
has no tunnel to receive principals from)."""

from __future__ import annotations

from typing import Any

from openscc import kinds
from openscc.config.setting_entities import ConnectorSetting
from openscc.config.values import Fields, Number
from openscc.errors import InvalidRequest

KIND = kinds.PP_SETTINGS
# The ranges the page gives: 14 days in hours, 30 days in minutes.
FIELDS = Fields(
    Number(name="expirationToleranceInHr", required=True, minimum=1, maximum=336),
    Number(name="certificateValidityInMin", required=True, minimum=1, maximum=43200),
)
PATCH_FIELDS = FIELDS.optional()
DEFAULTS = {"expirationToleranceInHr": 1, "certificateValidityInMin": 60}
_NAMES = [field.name for field in FIELDS]


def parse_put(_current: dict[str, int], data: dict[str, Any]) -> dict[str, int]:
    """Both values, required."""
    values = FIELDS.given(data)
    missing = [name for name in _NAMES if name not in values]
    if missing:
        raise InvalidRequest(f"{' and '.join(missing)} must be set")
    return values


def parse_patch(current: dict[str, int], data: dict[str, Any]) -> dict[str, int]:
    """One value or both; the other keeps its value."""
    values = PATCH_FIELDS.given(data)
    if not values:
        raise InvalidRequest(f"give {' or '.join(_NAMES)}")
    return {**current, **values}


SETTING = ConnectorSetting(KIND, DEFAULTS)
settings = SETTING.read
save = SETTING.write

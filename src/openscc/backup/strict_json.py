"""Strict JSON for archive content: UTF-8 only, no duplicate keys, no NaN or Infinity.

``parse_json`` is the strict parser (the standard library's, with hooks that refuse what JSON
does not allow). ``parse_canonical`` gives the same value much faster for text that is already
in canonical form, as every line the archive writer makes is: orjson parses it, and only if
orjson writes exactly the same bytes back is its value taken. Equal bytes mean there was no
duplicate key (orjson would keep one of them and write a shorter text), no NaN, no number or
escape written another way, so both parsers agree on the value. Anything else (other spacing,
escaped non-ASCII, duplicates, errors) goes through ``parse_json``, whose verdict stands.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def parse_json(raw: bytes) -> Any:
    """Parse strict JSON; ValueError if it is not."""
    try:
        return _DECODER.decode(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def parse_canonical(raw: bytes) -> tuple[Any, bool]:
    """``parse_json(raw)``, and whether ``raw`` is exactly orjson's compact form of the value."""
    try:
        value = orjson.loads(raw)
        if orjson.dumps(value) == raw:
            return value, True
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass
    return parse_json(raw), False


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in JSON object")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)

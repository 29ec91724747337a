"""Record lines: the canonical fast path accepts exactly what the strict parser accepts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openscc.backup.manifest import parse_json
from openscc.backup.members import LINE_ENCODER, parse_line

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _json_values, max_size=6))
def test_a_canonical_line_parses_as_the_strict_parser_would(value: dict) -> None:  # type: ignore[type-arg]
    """Whatever the writer writes comes back equal, by the fast path and by the strict one."""
    line = LINE_ENCODER.encode(value).encode("ascii")

    assert parse_line(line) == parse_json(line) == value


@pytest.mark.parametrize(
    "line",
    [
        b'{"a":1,"a":2}',  # a duplicate key: json.loads would keep the last one
        b'{"kind":"x","body":{"k":1,"k":1}}',  # a duplicate key deeper down
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":"\xff"}',  # not UTF-8
        '{"a":1}'.encode("utf-16"),  # json.loads would detect UTF-16
        b'{"a":1',
        b"[" * 100_000 + b"]" * 100_000,  # nested too deeply
    ],
)
def test_lines_the_strict_parser_refuses_are_refused(line: bytes) -> None:
    """Duplicate keys, NaN, non-UTF-8 text, other encodings and broken JSON are all ValueError."""
    with pytest.raises(ValueError):
        parse_json(line)

    with pytest.raises(ValueError):
        parse_line(line)


def test_a_valid_line_in_another_form_still_parses() -> None:
    """A line with spaces or in another key order is valid JSON: the strict path reads it."""
    line = b'{ "b" : [1, 2] , "a" : "\\u00e9" }'

    assert parse_line(line) == {"b": [1, 2], "a": "é"} == json.loads(line)

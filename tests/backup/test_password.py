"""An archive's password as a request gives it: taken exactly, blanks included, never a number;
what its published schema rules out is refused."""

from __future__ import annotations

from typing import Any

import pytest

from openscc.backup.password import MAX_PASSWORD_CHARS, ArchivePassword
from openscc.errors import InvalidRequest

FIELD = ArchivePassword(name="password", required=True)


@pytest.mark.parametrize("password", ["pw", "   ", " padded ", "x" * MAX_PASSWORD_CHARS])
def test_any_non_empty_string_is_taken_as_it_is(password: str) -> None:
    assert FIELD.read({"password": password}) == password


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "password is required"),
        ("", "password must not be empty"),
        (42, "password must be a string"),
        (True, "password must be a string"),
        ([], "password must be a string"),
        ({}, "password must be a string"),
        ("x" * (MAX_PASSWORD_CHARS + 1), f"longer than {MAX_PASSWORD_CHARS}"),
    ],
)
def test_what_the_schema_rules_out_is_refused(value: Any, message: str) -> None:
    schema = FIELD.schema()
    assert (schema["type"], schema["minLength"], schema["maxLength"]) == (
        "string",
        1,
        MAX_PASSWORD_CHARS,
    )

    with pytest.raises(InvalidRequest, match=message):
        FIELD.read({"password": value})

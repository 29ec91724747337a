"""Issue 2's connector endpoints (version, description, authentication) and lenient input."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc import SCC_API_VERSION
from openscc.config.values import (
    Choice,
    Fields,
    Flag,
    Number,
    Port,
    Text,
    as_bool,
    as_int,
    as_str,
    required,
)
from openscc.errors import InvalidRequest

CONNECTOR = "/api/v1/configuration/connector"


def test_version_answers_the_product_version_cacheable(admin: TestClient) -> None:
    """GET /api/v1/connector/version is {"version": ...} with the product's Cache-Control."""
    response = admin.get("/api/v1/connector/version")

    assert response.status_code == 200
    assert response.json() == {"version": SCC_API_VERSION}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "max-age=3600"


def test_connector_answers_ha_role_and_description(admin: TestClient) -> None:
    """GET configuration/connector gives the HA role and an empty description at first."""
    response = admin.get(CONNECTOR)

    assert response.status_code == 200
    assert response.json() == {"ha": {"role": "master"}, "description": ""}
    assert response.headers["cache-control"] == "no-store"


def test_description_can_be_set(admin: TestClient) -> None:
    """PUT with a JSON string sets the description; GET returns it."""
    response = admin.put(CONNECTOR, json={"description": "Caf\u00e9 connector \u2603"})
    read = admin.get(CONNECTOR)

    assert response.status_code == 200
    assert response.json()["description"] == "Caf\u00e9 connector \u2603"
    assert read.json()["description"] == "Caf\u00e9 connector \u2603"


def test_empty_description_clears_it(admin: TestClient) -> None:
    """An empty string clears the description."""
    admin.put(CONNECTOR, json={"description": "something"})

    response = admin.put(CONNECTOR, json={"description": ""})

    assert response.status_code == 200
    assert admin.get(CONNECTOR).json()["description"] == ""


@pytest.mark.parametrize(
    "body", [{"description": None}, {"description": 5}, {"description": ["x"]}, {}, "text", []]
)
def test_description_that_is_not_a_string_is_invalid(admin: TestClient, body: object) -> None:
    """null, numbers, lists or a missing description are 400 INVALID_REQUEST; nothing changes."""
    admin.put(CONNECTOR, json={"description": "kept"})

    response = admin.put(CONNECTOR, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert admin.get(CONNECTOR).json()["description"] == "kept"


def test_authentication_type_is_basic(admin: TestClient) -> None:
    """GET configuration/connector/authentication is {"type": "basic"}."""
    response = admin.get(f"{CONNECTOR}/authentication")

    assert response.status_code == 200
    assert response.json() == {"type": "basic"}


def test_head_is_answered_like_get_without_a_body(admin: TestClient) -> None:
    """HEAD works wherever GET does."""
    response = admin.head("/api/v1/connector/version")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("true", True), ("FALSE", False)]
)
def test_booleans_may_arrive_as_strings(value: object, expected: bool) -> None:
    """as_bool accepts JSON booleans and the strings "true"/"false" in any case."""
    assert as_bool(value, "flag") is expected


@pytest.mark.parametrize("value", ["yes", "1", 1, None, ""])
def test_other_boolean_spellings_are_invalid(value: object) -> None:
    """Anything else is INVALID_REQUEST naming the field."""
    with pytest.raises(InvalidRequest, match="flag"):
        as_bool(value, "flag")


@pytest.mark.parametrize(
    ("value", "expected"), [(900, 900), ("900", 900), (" 42 ", 42), ("-1", -1)]
)
def test_numbers_may_arrive_as_strings(value: object, expected: int) -> None:
    """as_int accepts JSON integers and decimal strings."""
    assert as_int(value, "port") == expected


@pytest.mark.parametrize("value", ["9x", "", 1.5, True, None, "0x10"])
def test_other_number_spellings_are_invalid(value: object) -> None:
    """Non-integers, booleans and non-decimal strings are INVALID_REQUEST."""
    with pytest.raises(InvalidRequest, match="port"):
        as_int(value, "port")


def test_numbers_outside_their_range_are_invalid() -> None:
    """as_int enforces its bounds."""
    with pytest.raises(InvalidRequest, match="between"):
        as_int("70000", "port", minimum=1, maximum=65535)


def test_string_helpers_check_type_emptiness_and_presence() -> None:
    """as_str refuses non-strings and (if asked) blanks; required refuses absent or null fields."""
    assert as_str("x", "name") == "x"
    with pytest.raises(InvalidRequest):
        as_str(5, "name")
    with pytest.raises(InvalidRequest):
        as_str("  ", "name", allow_empty=False)
    with pytest.raises(InvalidRequest, match="name is required"):
        required({"name": None}, "name")


def test_fields_read_a_body_and_describe_it_alike() -> None:
    """A Fields reads every field (defaults for the absent), only the given ones for a partial
    update, and its schema states the same types, bounds and required names."""
    fields = Fields(
        Text(name="host", required=True, max_length=253, host=True),
        Port(name="port", required=True),
        Flag(name="enabled", default=True),
        Number(name="count", minimum=1, maximum=10, default=3),
        Choice(name="mode", values=("A", "B"), default="A"),
    )

    assert fields.read({"host": "h", "port": "80"}) == {
        "host": "h", "port": "80", "enabled": True, "count": 3, "mode": "A"}  # fmt: skip
    assert fields.given({"count": "4", "enabled": None}) == {"count": 4}
    assert fields.optional().read({}) == {
        "host": None, "port": None, "enabled": True, "count": 3, "mode": "A"}  # fmt: skip
    schema = fields.schema()
    assert schema["required"] == ["host", "port"]
    assert schema["properties"]["count"] == {"type": "integer", "minimum": 1, "maximum": 10}
    assert schema["properties"]["mode"] == {"type": "string", "enum": ["A", "B"]}
    assert "required" not in fields.optional().schema()
    with pytest.raises(InvalidRequest, match="count must be between 1 and 10"):
        fields.read({"host": "h", "port": 1, "count": 11})

"""A JSON object body is declared once, by the fields its handler reads: the OpenAPI document
publishes their schema, and every constraint that schema states is one the parser enforces."""

from __future__ import annotations

from typing import Any

import pytest

from openscc.api.http.catalog import all_endpoints
from openscc.api.http.openapi import build_openapi, openapi_path
from openscc.config.values import Choice, Field, Flag, Number, Port, String, Structured, Text
from openscc.errors import InvalidRequest

TABLE = all_endpoints()
WITH_FIELDS = [e for e in TABLE.endpoints if e.request_fields is not None]


def _id(item: tuple[Any, Field]) -> str:
    endpoint, field = item
    return f"{endpoint.method} {endpoint.path} {field.name}"


def _json_types(schema: dict[str, Any]) -> set[str]:
    named = schema.get("type", [])
    types = {named} if isinstance(named, str) else set(named)
    for alternative in schema.get("anyOf", []):
        types |= _json_types(alternative)
    return types


def _violations(field: Field) -> list[Any]:
    """Values the field's published schema rules out."""
    if isinstance(field, Structured):
        # Its own parser reads a nested value: an array or object where the schema has none.
        types = _json_types(field.json_schema)
        return [value for value, kind in (([], "array"), ({}, "object")) if kind not in types]
    bad: list[Any] = [[], {}]
    if isinstance(field, Text):
        bad += ["x" * (field.max_length + 1)]
        bad += ["not a host!"] if field.host else []
        bad += ["  "] if field.required else []
    elif isinstance(field, String):
        bad += ["x" * (field.max_length + 1), 5]
    elif isinstance(field, Flag):
        bad += ["maybe", 2]
    elif isinstance(field, Number):
        bad += ["many", True]
        bad += [field.minimum - 1] if field.minimum is not None else []
        bad += [field.maximum + 1] if field.maximum is not None else []
    elif isinstance(field, Port):
        bad += [0, 65536, "http"]
    elif isinstance(field, Choice):
        bad += ["none of them", 1]
    return bad


FIELDS = [(e, f) for e in WITH_FIELDS for f in e.request_fields or ()]


def test_every_json_object_body_is_declared_by_fields() -> None:
    """A hand-written schema is left only for bodies that are not a JSON object (an array, a
    string, a multipart form)."""
    hand_written = [
        f"{e.method} {e.path}"
        for e in TABLE.endpoints
        if e.request_schema is not None
        and e.request_content_type == "application/json"
        and "object" in _json_types(e.request_schema)
    ]

    assert hand_written == []
    assert len(WITH_FIELDS) > 50


@pytest.mark.parametrize("endpoint", WITH_FIELDS, ids=lambda e: f"{e.method} {e.path}")
def test_the_published_schema_is_the_fields(endpoint: Any) -> None:
    document = build_openapi(TABLE)
    path = document["paths"][openapi_path(endpoint.path)]
    published = path[endpoint.method.lower()]["requestBody"]["content"]["application/json"]

    assert published["schema"] == endpoint.request_fields.schema()


@pytest.mark.parametrize("item", FIELDS, ids=_id)
def test_every_value_the_schema_rules_out_is_refused(item: tuple[Any, Field]) -> None:
    _, field = item
    for value in _violations(field):
        with pytest.raises(InvalidRequest, match=field.name):
            field.read({field.name: value})
    if field.required:
        with pytest.raises(InvalidRequest, match=f"{field.name} is required"):
            field.read({})

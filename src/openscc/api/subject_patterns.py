"""Subject pattern rules for principal propagation, addressed by their index in the list."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from openscc.api.config_routes import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_CONNECTOR,
    audit,
    base_of,
    store_of,
)
from openscc.api.context import Caller
from openscc.api.endpoints import EndpointTable
from openscc.api.read_request import ReadRequest, json_object
from openscc.api.responses import created, empty_response, json_response
from openscc.config import kinds
from openscc.config import subject_patterns as model
from openscc.snapshot import EntityRecord
from openscc.store.entities import EntityStore

endpoints = EndpointTable()
PREFIXES = (
    "/api/v1/configuration/connector/onPremises",
    "/api/v1/configuration/connector/onPremise",
)
_SCHEMA = {
    "type": "object",
    "properties": {
        "condition": OBJECT,
        "description": {"type": "string"},
        "subjectPattern": OBJECT,
    },
    "required": ["subjectPattern"],
}


def _rules(store: EntityStore) -> list[dict[str, Any]]:
    record = store.get(kinds.SUBJECT_PATTERN_RULES, kinds.SINGLETON_KEY)
    source = model.DEFAULT_RULES if record is None else record.body["rules"]
    return [dict(rule) for rule in source]


def _save(store: EntityStore, rules: list[dict[str, Any]]) -> None:
    store.put(
        EntityRecord(
            kind=kinds.SUBJECT_PATTERN_RULES,
            key=kinds.SINGLETON_KEY,
            parent=None,
            body={"rules": rules},
        )
    )


def list_rules(request: ReadRequest, caller: Caller) -> Response:
    return json_response([model.view(rule) for rule in _rules(store_of(request))])


def create_rule(request: ReadRequest, caller: Caller) -> Response:
    rule = model.parse(json_object(request))
    store = store_of(request)
    with store.transaction():
        rules = _rules(store)
        index = model.insert(rules, rule)
        _save(store, rules)
    audit(request, "subjectPatternRule.created", index=index)
    return created(f"{base_of(request)}{request.url.path.rstrip('/')}/{index}")


def delete_all_rules(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        _save(store, [])
    return empty_response()


def get_rule(request: ReadRequest, caller: Caller) -> Response:
    rules = _rules(store_of(request))
    return json_response(model.view(rules[model.check_index(rules, request.path_params["index"])]))


def update_rule(request: ReadRequest, caller: Caller) -> Response:
    rule = model.parse(json_object(request))
    store = store_of(request)
    with store.transaction():
        rules = _rules(store)
        rules[model.check_index(rules, request.path_params["index"])] = rule
        _save(store, rules)
    return empty_response()


def delete_rule(request: ReadRequest, caller: Caller) -> Response:
    store = store_of(request)
    with store.transaction():
        rules = _rules(store)
        del rules[model.check_index(rules, request.path_params["index"])]
        _save(store, rules)
    return empty_response()


for _prefix in PREFIXES:
    _list, _one = f"{_prefix}/subjectPatternRules", f"{_prefix}/subjectPatternRules/{{index}}"
    endpoints.route(
        "GET",
        _list,
        summary="The subject pattern rules, in order",
        response_schema=ARRAY_OF_OBJECTS,
        **READ,
    )(list_rules)
    endpoints.route(
        "POST",
        _list,
        summary="Add a rule (before a trailing catch-all rule)",
        status=201,
        request_schema=_SCHEMA,
        **WRITE_CONNECTOR,
    )(create_rule)
    endpoints.route("DELETE", _list, summary="Remove all rules", status=204, **WRITE_CONNECTOR)(
        delete_all_rules
    )
    endpoints.route("GET", _one, summary="One rule", response_schema=OBJECT, **READ)(get_rule)
    endpoints.route(
        "PUT", _one, summary="Replace a rule", status=204, request_schema=_SCHEMA, **WRITE_CONNECTOR
    )(update_rule)
    endpoints.route("DELETE", _one, summary="Remove a rule", status=204, **WRITE_CONNECTOR)(
        delete_rule
    )

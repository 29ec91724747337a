"""Subject pattern rules for principal propagation, addressed by their index in the list."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import (
    DER,
    PEM,
    accepts,
    attachment,
    created,
    empty_response,
    json_response,
)
from openscc.api.routes.configuration.common import (
    ARRAY_OF_OBJECTS,
    OBJECT,
    READ,
    WRITE_CONNECTOR,
    audit,
    base_of,
    store_of,
)
from openscc.auth.roles import ADMINISTRATORS
from openscc.config import certs, pp_settings
from openscc.config import subject_patterns as model
from openscc.errors import Conflict, InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

endpoints = EndpointTable()
_FILE = {"type": "string", "format": "binary"}
_SAMPLE = {
    "description": f"The sample certificate: DER, or PEM with Accept: {PEM}",
    "content": {DER: {"schema": _FILE}, PEM: {"schema": _FILE}},
}
PREFIXES = (
    "/api/v1/configuration/connector/onPremises",
    "/api/v1/configuration/connector/onPremise",
)


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


def move_rule(request: ReadRequest, caller: Caller) -> Response:
    """Move a rule to another place in the list; answers the list in its new order."""
    data = json_object(request)
    store = store_of(request)
    with store.transaction():
        rules = _rules(store)
        position = model.move(rules, request.path_params["index"], data)
        _save(store, rules)
    audit(
        request, "subjectPatternRule.moved", index=request.path_params["index"], position=position
    )
    return json_response([model.view(rule) for rule in rules])


async def sample_certificate(request: Request, caller: Caller) -> Response:
    """A certificate as principal propagation would issue it for the rule, the query giving the
    placeholders' values: signed by the principal-propagation CA, DER or PEM by Accept."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in values:
            raise InvalidRequest(f"query parameter {name} is given twice")
        values[name] = value
    svc = services(request)

    def read() -> tuple[list[tuple[str, str]], certs.KeyPair, int]:
        store = svc.instance.store
        rules = _rules(store)
        rule = rules[model.check_index(rules, request.path_params["index"])]
        subject = model.sample_subject(rule, values)
        ca = store.get(kinds.PP_CA_CERTIFICATE, kinds.SINGLETON_KEY, with_secret=True)
        if ca is None or ca.secret is None:
            raise Conflict("no CA certificate for principal propagation is configured")
        pair = certs.KeyPair(
            certificate_pem=ca.body["certificatePem"], private_key_pem=ca.secret["privateKeyPem"]
        )
        # As long as a principal-propagation certificate would be: the ppSettings' validity.
        return subject, pair, pp_settings.settings(store)["certificateValidityInMin"]

    subject, ca, minutes = await svc.store_thread.run(read)
    # A new key takes a while: in a worker, so neither the loop nor the store thread waits.
    issued = await svc.workers.run(
        functools.partial(certs.issued_by, certs.name_of(subject), ca, minutes=minutes)
    )
    if accepts(request, PEM):
        return attachment(issued.certificate_pem.encode(), "scc_sample_cert.pem", PEM)
    return attachment(certs.to_der(issued.certificate_pem), "scc_sample_cert.der", DER)


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
        request_fields=model.FIELDS,
        **WRITE_CONNECTOR,
    )(create_rule)
    endpoints.route("DELETE", _list, summary="Remove all rules", status=204, **WRITE_CONNECTOR)(
        delete_all_rules
    )
    endpoints.route("GET", _one, summary="One rule", response_schema=OBJECT, **READ)(get_rule)
    endpoints.route(
        "PUT",
        _one,
        summary="Replace a rule",
        status=204,
        request_fields=model.FIELDS,
        **WRITE_CONNECTOR,
    )(update_rule)
    endpoints.route("DELETE", _one, summary="Remove a rule", status=204, **WRITE_CONNECTOR)(
        delete_rule
    )
    endpoints.route(
        "POST",
        f"{_one}/move",
        summary="Move a rule to another zero-based position ({position}); answers the new list",
        request_fields=model.MOVE_FIELDS,
        response_schema=ARRAY_OF_OBJECTS,
        **WRITE_CONNECTOR,
    )(move_rule)
    endpoints.loop_route(
        "GET",
        f"{_one}/sampleCertificate",
        summary="A sample certificate from the rule (the query gives the placeholders' values)",
        roles=ADMINISTRATORS,
        tag="configuration",
        response_content_type=DER,
        more_responses={
            "200": _SAMPLE,
            "409": "ILLEGAL_STATE: no CA certificate for principal propagation is configured",
        },
    )(sample_certificate)

"""Schema fuzzing: schemathesis against the app's own /api/openapi.json, as the Administrator.

Every operation of the document is fuzzed with data that fits its schema and with data that does
not, on a fresh copy of an instance holding every kind of entity (so two cases in three address
entities that exist). Rules: no 5xx answer except one the operation documents (a channel that
cannot open, SAP BTP unreachable, a backup that cannot be written, the store locked: 503), every
answer as documented (status code, content type, headers and body schema), and the security
headers on every answer.

`make test` runs a bounded number of examples per operation; `make fuzz`
(OPENSCC_FUZZ_PROFILE=fuzz) a long run. With OPENSCC_FUZZ_REPORT=FILE, each operation appends
its figures (examples, statuses) to FILE as a JSON line.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openscc.api.http.catalog import all_endpoints
from openscc.api.http.middleware import SECURITY_HEADERS
from openscc.api.http.openapi import build_openapi
from openscc.app import create_app
from openscc.auth.users import ADMINISTRATOR
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, make_client
from support.populate import REGION, SUBACCOUNTS, populate_every_kind

PROFILE = os.environ.get("OPENSCC_FUZZ_PROFILE", "bounded")
# Examples per operation: data that fits the schema (reaches the handlers' success paths), and
# data that does not (mostly refused early, so fewer are needed).
EXAMPLES = {"bounded": {"positive": 10, "negative": 4}, "fuzz": {"positive": 300, "negative": 150}}[
    PROFILE
]
REPORT = os.environ.get("OPENSCC_FUZZ_REPORT")
PASSWORD = ADMIN_PASSWORD
AUTH = {
    "Authorization": "Basic " + base64.b64encode(f"{ADMINISTRATOR}:{PASSWORD}".encode()).decode()
}
CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# The operations to fuzz, from the same table the server builds its document from; the test
# below checks that the served document has exactly these.
DOCUMENT = build_openapi(all_endpoints())
SCHEMA_PATH = "/api/openapi.json"
# schemathesis leaves out the document's own URL (it has no parameters and no body to fuzz).
OPERATIONS = [
    (path, method.upper())
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if path != SCHEMA_PATH
]


def _settings(data_dir: Path) -> Settings:
    # Fuzzed password changes count as failed logins; no lockout, so every case is authenticated.
    return Settings(
        data_dir=data_dir,
        kdf_profile="test",
        admin_password=PASSWORD,
        login_failures_before_lockout=10**9,
    )


# Every operation fuzzed: a quarter of the fast suite's time, so make test runs it and
# make test-fast leaves it out.
pytestmark = pytest.mark.volume


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A closed data directory with every kind of entity, and path values that address them."""
    data_dir = tmp_path_factory.mktemp("schema-fuzz") / "template"
    with make_client(create_app(_settings(data_dir)), auth=(ADMINISTRATOR, PASSWORD)) as client:
        populate_every_kind(client)
        sa = f"/api/v1/configuration/subaccounts/{REGION}/{SUBACCOUNTS[0][0]}"
        channel = client.get(f"{sa}/channels/K8S").json()[0]["id"]
        trusted = client.get("/api/v1/configuration/connector/onPremise/truststore").json()
        known = {
            "region": REGION,
            "subaccount": SUBACCOUNTS[0][0],
            "mapping": "erp.virtual:44300",
            "resource": "-sap-opu-odata",
            "client": "200",
            "entry": "200:SAP*",
            "domain": "internal.corp",
            "type": "K8S",
            "id": str(channel),
            "index": "0",
            "alias": trusted["trustedBackends"][0]["alias"],
            "selection": "expiring",
            "name": "safety-20260101T000000Z-000000000.zip",  # none yet: a documented 404
        }
        for path in (
            f"{sa}/systemMappings/erp.virtual:44300/resources/-sap-opu-odata",
            f"{sa}/domainMappings",
            "/api/v1/configuration/connector/onPremise/subjectPatternRules/0",
        ):
            assert client.get(path).status_code == 200, path
    return data_dir, known


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.schemas.BaseSchema:
    """The document as the app serves it at /api/openapi.json, loaded through ASGI."""
    source = create_app(_settings(tmp_path_factory.mktemp("schema-source") / "data"))
    return schemathesis.openapi.from_asgi(SCHEMA_PATH, source)


@pytest.fixture
def fresh_app(populated: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Any]:
    """The app on a copy of the populated instance, so operations do not disturb one another."""
    shutil.copytree(populated[0], tmp_path / "data")
    yield create_app(_settings(tmp_path / "data"))
    # schemathesis keeps each app's lifespan open; end them, which closes the instances.
    from schemathesis.python import asgi

    shutdown = getattr(asgi, "shutdown_lifespans", None)
    if shutdown is not None:
        shutdown()


def _documented_server_error(case: Any, status: int, body: bytes) -> bool:
    """A 5xx the operation documents, in the one error shape."""
    if str(status) not in case.operation.definition.raw.get("responses", {}):
        return False
    try:
        shape = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(shape, dict)
        and shape.get("type") == "RUNTIME_FAILURE"
        and "Traceback" not in shape.get("message", "")
    )


def test_every_served_operation_is_fuzzed(schema: Any) -> None:
    """The served document is the one built from the endpoint table, and every operation in it is fuzzed."""
    fuzzed = sorted((op.ok().path, op.ok().method.upper()) for op in schema.get_all_operations())

    assert schema.raw_schema == DOCUMENT
    assert fuzzed == sorted(OPERATIONS)


def _check(case: Any, response: Any, label: str) -> list[str]:
    """What is wrong with one answer: an undocumented 5xx, a missing security header, a break of the document."""
    problems = []
    if response.status_code >= 500 and not _documented_server_error(
        case, response.status_code, response.content
    ):
        problems.append(
            f"{label}: undocumented {response.status_code}: {response.text[:300]}\n"
            f"  {case.as_curl_command()}"
        )
    # schemathesis's response: lowercase names, each with the list of its values.
    absent = [
        name.decode()
        for name, value in SECURITY_HEADERS
        if response.headers.get(name.decode()) != [value.decode()]
    ]
    if absent:
        problems.append(f"{label}: {response.status_code} without {', '.join(absent)}")
    try:
        case.validate_response(response, checks=CHECKS)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        problems.append(f"{label}: {error}")
    return problems


def _fuzz(
    strategy: st.SearchStrategy[Any],
    app: Any,
    label: str,
    statuses: Counter[int],
    failures: list[str],
) -> None:
    @settings(
        max_examples=EXAMPLES[label],
        deadline=None,
        database=None,
        derandomize=PROFILE == "bounded",
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        response = case.call(headers=AUTH, app=app)
        statuses[response.status_code] += 1
        failures.extend(_check(case, response, label))

    fuzz()


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_answers_as_documented(
    path: str, method: str, schema: Any, populated: tuple[Path, dict[str, str]], fresh_app: Any
) -> None:
    """Fuzzed requests to this operation get no undocumented 5xx, only answers that match the document, and the security headers on each."""
    operation = schema[path][method]
    known = {p.name: populated[1][p.name] for p in operation.path_parameters}
    failures: list[str] = []
    statuses: Counter[int] = Counter()

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode)
        if known:  # two cases in three address entities that exist
            existing = operation.as_strategy(generation_mode=mode, path_parameters=known)
            strategy = st.one_of(strategy, existing, existing)
        _fuzz(strategy, fresh_app, mode.value, statuses, failures)

    if REPORT:
        with open(REPORT, "a") as out:
            out.write(
                json.dumps(
                    {
                        "operation": f"{method} {path}",
                        "examples": sum(statuses.values()),
                        "statuses": {str(k): v for k, v in sorted(statuses.items())},
                        "failures": len(failures),
                    }
                )
                + "\n"
            )
    assert sum(statuses.values()) > 0
    assert not failures, f"{len(failures)} failing cases for {method} {path}:\n" + "\n\n".join(
        failures[:5]
    )

"""The authorization matrix: every route and method × every caller × every instance state.

``scripts/authorization_matrix.py`` says, from the guard's own decision, what each cell must answer (401, 403, or through to the handler);
these tests call every cell against the in-process app, one app per instance state, and check that
docs/api.md publishes exactly the table the code computes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripts.authorization_matrix import (
    ALLOWED,
    CALLERS,
    FORBIDDEN,
    NO_CREDENTIALS,
    STATES,
    UNAUTHENTICATED,
    WRONG_CREDENTIALS,
    InstanceState,
    expected_outcome,
    published_section,
    render_markdown,
)
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.api.http.catalog import all_endpoints
from openscc.api.http.endpoints import Endpoint
from openscc.app import create_app
from openscc.auth.roles import ROLE_NAMES
from openscc.config.connector_state import update_connector
from openscc.settings import Settings
from support.apps import ADMIN_PASSWORD, instance_of, make_client

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PASSWORD = ADMIN_PASSWORD  # every user of the matrix has it
# Dummy values for path parameters: the guard decides before the handler looks them up.
DUMMY = {
    "region": "region.example",
    "subaccount": "sa-1",
    "mapping": "host.example:443",
    "resource": "-r",
    "client": "100",
    "entry": "100:USER",
    "domain": "d.example",
    "type": "K8S",
    "id": "1",
    "index": "0",
    "alias": "a",
    "selection": "expired",
    "name": "safety-20260101T000000Z-000000000.zip",
}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def _user(role: str) -> str:
    return f"matrix-{role}"


def _concrete(path: str) -> str:
    return _PARAM.sub(lambda m: DUMMY[m.group(1)], path)


def _app_in(state: InstanceState, data_dir: Path) -> Starlette:
    """A fresh instance in ``state``, with one user of every role."""
    settings = Settings(
        data_dir=data_dir, kdf_profile="test", login_failures_before_lockout=1_000_000
    )
    app = create_app(settings)
    instance = instance_of(app)
    with instance.store.transaction():
        for role in ROLE_NAMES:
            instance.users.add(_user(role), role, PASSWORD, initial_password=state.initial_password)
        update_connector(instance.store, haRole=state.ha_role)
    return app


def _call(client: TestClient, endpoint: Endpoint, caller: str) -> int:
    auth: tuple[str, str] | None
    if caller == NO_CREDENTIALS:
        auth = None
    elif caller == WRONG_CREDENTIALS:
        auth = ("nobody-here", "wrong-password")
    else:
        auth = (_user(caller), PASSWORD)
    options: dict[str, object] = {"auth": auth} if auth else {}
    # A dummy body that no handler accepts, so an allowed call changes nothing that matters.
    body = {} if endpoint.method in ("POST", "PUT", "PATCH") else None
    client.cookies.clear()  # no session from an earlier call: each cell stands alone
    response = client.request(endpoint.method, _concrete(endpoint.path), json=body, **options)
    return response.status_code


def _category(status: int) -> str:
    return {401: UNAUTHENTICATED, 403: FORBIDDEN}.get(status, ALLOWED)


@pytest.fixture
def state_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    state: InstanceState = request.param
    with make_client(_app_in(state, tmp_path / "data")) as client:
        # Fail loudly if the instance is not in the state the cell assumes.
        role = client.get(
            "/api/v1/configuration/connector/haRole", auth=(_user("sccadmin"), PASSWORD)
        )
        assert role.status_code == (403 if state.initial_password else 200), role.text
        if not state.initial_password:
            assert role.json() == state.ha_role
        yield client


@pytest.mark.parametrize("state_client", STATES, ids=[s.letter for s in STATES], indirect=True)
def test_every_cell_answers_as_the_matrix_says(
    state_client: TestClient, request: pytest.FixtureRequest
) -> None:
    """Each route and method, called by each caller in this state, is refused or let through per the table."""
    state = request.node.callspec.params["state_client"]
    mismatches = []
    calls = 0
    for endpoint in all_endpoints().endpoints:
        for caller in CALLERS:
            expected = expected_outcome(endpoint, caller, state)
            status = _call(state_client, endpoint, caller)
            calls += 1
            if _category(status) != expected:
                mismatches.append(
                    f"{endpoint.method} {endpoint.path} as {caller}: expected {expected}, got {status}"
                )
    assert calls == len(all_endpoints().endpoints) * len(CALLERS)
    assert not mismatches, f"{len(mismatches)} of {calls} cells differ:\n" + "\n".join(mismatches)


def test_matrix_has_every_kind_of_answer_in_every_state() -> None:
    """The table is not degenerate: each state has allowed cells and, past the initial password, 403s."""
    endpoints = all_endpoints().endpoints
    for state in STATES:
        outcomes = {expected_outcome(e, c, state) for e in endpoints for c in CALLERS}
        assert outcomes == {ALLOWED, FORBIDDEN, UNAUTHENTICATED}, state.name


def test_published_matrix_matches_the_code() -> None:
    """docs/api.md holds exactly the table the code computes (regenerate: python -m scripts.authorization_matrix --write docs/api.md)."""
    published = published_section(DOCS.read_text())

    assert published == render_markdown(), (
        "docs/api.md is out of date; run: python -m scripts.authorization_matrix --write docs/api.md"
    )

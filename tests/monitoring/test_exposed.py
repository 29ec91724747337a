"""/exposed: the health check and the master-role checks answer without credentials."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from openscc.config.connector_state import update_connector
from support.apps import instance_of, make_client

EXPOSED = "/exposed"


@pytest.mark.parametrize("auth", [None, ("nobody", "wrong")])
def test_ping_needs_no_credentials_and_ignores_wrong_ones(admin_app: Starlette, auth: Any) -> None:
    with make_client(admin_app, auth=auth) as client:
        response = client.get(EXPOSED, params={"action": "ping"})

    assert response.status_code == 200
    assert "set-cookie" not in response.headers


def test_ping_answers_before_the_initial_password_is_changed(app: Starlette) -> None:
    with make_client(app) as client:
        assert client.get(EXPOSED, params={"action": "ping"}).status_code == 200


def _set_role(app: Starlette, role: str | None) -> None:
    store = instance_of(app).store
    with store.transaction():
        update_connector(store, haRole=role)


@pytest.mark.parametrize(("role", "master"), [("master", True), ("shadow", False), (None, False)])
def test_the_master_role_checks_follow_the_instance_s_role(
    admin_app: Starlette, role: str | None, master: bool
) -> None:
    _set_role(admin_app, role)
    with make_client(admin_app) as client:
        has = client.get(EXPOSED, params={"action": "hasMasterRole"})
        ensure = client.get(EXPOSED, params={"action": "ensureMasterRole"})

    assert has.status_code == 200
    assert has.json() is master
    assert ensure.status_code == (200 if master else 409)


@pytest.mark.parametrize("query", [{}, {"action": "reboot"}])
def test_an_unknown_action_is_400(admin_app: Starlette, query: dict[str, str]) -> None:
    with make_client(admin_app) as client:
        response = client.get(EXPOSED, params=query)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_the_checks_are_not_written_to_the_audit_log(admin_app: Starlette) -> None:
    audit = instance_of(admin_app).audit
    before = audit.path.read_text() if audit.path.exists() else ""

    with make_client(admin_app) as client:
        for _ in range(3):
            client.get(EXPOSED, params={"action": "ping"})

    assert (audit.path.read_text() if audit.path.exists() else "") == before

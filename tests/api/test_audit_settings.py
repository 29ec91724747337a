"""Audit log settings: the documented shapes, validation and roles, and levels that decide what the
audit log records: OFF nothing, SECURITY logons, refusals and changes, ALL every request too;
events about a subaccount follow its own level."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from support.apps import instance_of
from support.config_api import CONFIG, REGION, SA, SUBACCOUNT, mapping_body
from support.in_process import InProcessServer

AUDIT = f"{CONFIG}/connector/auditLog"
SA_AUDIT = f"{AUDIT}/subaccounts/{REGION}/{SUBACCOUNT}"
PP_SETTINGS = f"{CONFIG}/connector/onPremises/ppSettings"
PP_BODY = {"expirationToleranceInHr": 2, "certificateValidityInMin": 60}
ClientOfRole = Callable[[str], TestClient]


def _events(app: Starlette) -> list[dict[str, Any]]:
    path = instance_of(app).audit.path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _new_events(app: Starlette, since: int) -> list[str]:
    return [e["event"] for e in _events(app)[since:]]


def test_defaults_have_the_documented_shape(admin: TestClient, admin_app: Starlette) -> None:
    assert admin.get(AUDIT).json() == {
        "level": "SECURITY",
        "cleanup": 0,
        "logPath": str(instance_of(admin_app).audit.path.parent),
    }


def test_patch_changes_only_the_given_settings(admin: TestClient) -> None:
    assert admin.patch(AUDIT, json={"cleanup": "90"}).status_code == 204
    assert admin.patch(AUDIT, json={"level": "all", "logPath": "/elsewhere"}).status_code == 204

    body = admin.get(AUDIT).json()
    assert (body["level"], body["cleanup"]) == ("ALL", 90)
    assert body["logPath"] != "/elsewhere"  # the path cannot be changed here


@pytest.mark.parametrize(
    "body", [{"level": "DEBUG"}, {"level": True}, {"cleanup": 15}, {"cleanup": "never"}]
)
def test_invalid_values_are_refused(admin: TestClient, body: object) -> None:
    response = admin.patch(AUDIT, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert admin.get(AUDIT).json()["level"] == "SECURITY"


def test_every_role_reads_and_only_the_administrator_changes(
    with_subaccount: TestClient, client_of_role: ClientOfRole
) -> None:
    for role in ("sccassocadmin", "sccsubadmin", "sccsupport", "sccdisplay", "sccmonitoring"):
        client = client_of_role(role)
        assert client.get(AUDIT).status_code == 200, role
        assert client.get(SA_AUDIT).status_code == 200, role
        assert client.patch(AUDIT, json={"level": "OFF"}).status_code == 403, role
        assert client.patch(SA_AUDIT, json={"level": "OFF"}).status_code == 403, role


def test_at_security_changes_and_refusals_are_recorded_but_reads_are_not(
    admin: TestClient, admin_app: Starlette, client_of_role: ClientOfRole
) -> None:
    display = client_of_role("sccdisplay")
    admin.get(AUDIT), display.get(AUDIT)  # their logons
    since = len(_events(admin_app))

    admin.get(PP_SETTINGS)
    admin.put(PP_SETTINGS, json=PP_BODY)
    display.put(PP_SETTINGS, json=PP_BODY)

    assert _new_events(admin_app, since) == ["ppSettings.changed", "request.refused"]


def test_at_all_every_allowed_request_is_recorded_too(
    admin: TestClient, admin_app: Starlette
) -> None:
    admin.patch(AUDIT, json={"level": "ALL"})
    since = len(_events(admin_app))

    admin.get(PP_SETTINGS)
    admin.put(PP_SETTINGS, json=PP_BODY)

    events = _events(admin_app)[since:]
    assert [e["event"] for e in events] == ["request.allowed", "ppSettings.changed"]
    assert events[0]["operation"] == f"GET {PP_SETTINGS}"
    assert events[0]["status"] == 200


def test_at_all_a_request_that_fails_is_recorded_with_its_status(
    admin: TestClient, admin_app: Starlette
) -> None:
    admin.patch(AUDIT, json={"level": "ALL"})
    since = len(_events(admin_app))

    admin.put(PP_SETTINGS, json={})

    events = _events(admin_app)[since:]
    assert [(e["event"], e["status"]) for e in events] == [("request.allowed", 400)]


def test_at_off_nothing_is_recorded_but_the_level_change_itself(
    admin: TestClient, admin_app: Starlette, client_of_role: ClientOfRole
) -> None:
    display = client_of_role("sccdisplay")
    admin.get(AUDIT)  # its logon
    since = len(_events(admin_app))
    admin.patch(AUDIT, json={"level": "OFF"})

    admin.put(PP_SETTINGS, json=PP_BODY)
    display.put(PP_SETTINGS, json=PP_BODY)
    admin.get(PP_SETTINGS)
    admin.patch(AUDIT, json={"level": "SECURITY"})

    events = _events(admin_app)[since:]
    assert [e["event"] for e in events] == ["auditLog.changed", "auditLog.changed"]
    assert [e["level"] for e in events] == ["OFF", "SECURITY"]


def test_a_subaccount_level_governs_events_about_that_subaccount(
    with_subaccount: TestClient, admin_app: Starlette
) -> None:
    """Cross level OFF, the subaccount at its default (SECURITY): only its changes are recorded."""
    admin = with_subaccount
    admin.patch(AUDIT, json={"level": "OFF"})
    since = len(_events(admin_app))

    admin.put(PP_SETTINGS, json=PP_BODY)
    admin.post(f"{SA}/systemMappings", json=mapping_body())

    assert _new_events(admin_app, since) == ["systemMapping.created"]


def test_a_subaccount_at_off_records_nothing_about_it(
    with_subaccount: TestClient, admin_app: Starlette
) -> None:
    admin = with_subaccount
    assert admin.patch(SA_AUDIT, json={"level": "OFF"}).status_code == 204
    since = len(_events(admin_app))

    admin.post(f"{SA}/systemMappings", json=mapping_body())
    admin.put(PP_SETTINGS, json=PP_BODY)

    assert _new_events(admin_app, since) == ["ppSettings.changed"]


def test_a_subaccount_at_all_records_reads_of_it(
    with_subaccount: TestClient, admin_app: Starlette
) -> None:
    admin = with_subaccount
    admin.patch(SA_AUDIT, json={"level": "ALL"})
    since = len(_events(admin_app))

    admin.get(f"{SA}/systemMappings")
    admin.get(PP_SETTINGS)

    assert _new_events(admin_app, since) == ["request.allowed"]
    assert admin.get(SA_AUDIT).json() == {"level": "ALL"}


def test_a_subaccount_level_is_validated_and_required(with_subaccount: TestClient) -> None:
    assert with_subaccount.patch(SA_AUDIT, json={"level": "NONE"}).status_code == 400
    assert with_subaccount.patch(SA_AUDIT, json={}).status_code == 400
    assert with_subaccount.get(SA_AUDIT).json() == {"level": "SECURITY"}


def test_an_unknown_subaccount_is_not_found(admin: TestClient) -> None:
    assert admin.get(SA_AUDIT).status_code == 404
    assert admin.patch(SA_AUDIT, json={"level": "ALL"}).status_code == 404


def test_the_stored_level_applies_when_the_instance_opens(
    admin: TestClient, admin_server: InProcessServer
) -> None:
    admin.patch(AUDIT, json={"level": "ALL"})

    admin_server.restart()

    assert admin_server.instance.audit.level == "ALL"

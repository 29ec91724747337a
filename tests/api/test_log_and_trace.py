"""Log and trace settings: the documented shapes, validation and roles, and levels that really
change what the server logs, at once and from the next start."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from openscc.config import log_settings
from support.config_api import CONFIG, REGION, SUBACCOUNT, SUBACCOUNTS, create_subaccount
from support.in_process import InProcessServer

LOG = f"{CONFIG}/connector/logAndTrace"
SA_TRACE = f"{LOG}/subaccounts/{REGION}/{SUBACCOUNT}"
PP_SETTINGS = f"{CONFIG}/connector/onPremises/ppSettings"
ClientOfRole = Callable[[str], TestClient]


@pytest.fixture(autouse=True)
def _levels_restored() -> Iterator[None]:
    """Logger levels are process-wide: each test leaves them as it found them."""
    names = ("openscc", "", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def _audit_debug_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """openscc's DEBUG line for each audit record ("audit <event> by <actor>")."""
    return [r.getMessage() for r in caplog.records if r.name == "openscc.audit"]


def test_defaults_have_the_documented_shape(admin: TestClient) -> None:
    assert admin.get(LOG).json() == {
        "sccLogLevel": "INFO",
        "otherLogLevel": "INFO",
        "tlsTrace": False,
        "isTlsTraceActive": False,
        "cpicTraceLevel": 0,
        "cleanup": 0,
        "rolloverThreshold": "20 MB",
        "logAndTracePath": "",
    }


def test_patch_changes_only_the_given_settings(admin: TestClient) -> None:
    response = admin.patch(
        LOG, json={"cpicTraceLevel": "2", "rolloverThreshold": "75MB", "tlsTrace": "true"}
    )

    assert response.status_code == 204
    body = admin.get(LOG).json()
    assert (body["cpicTraceLevel"], body["rolloverThreshold"], body["tlsTrace"]) == (
        2,
        "75 MB",
        True,
    )
    assert (body["sccLogLevel"], body["cleanup"]) == ("INFO", 0)
    assert body["isTlsTraceActive"] is False  # openscc has no TLS trace to turn on


@pytest.mark.parametrize(
    "body",
    [
        {"sccLogLevel": "VERBOSE"},
        {"otherLogLevel": 3},
        {"rolloverThreshold": "75"},  # the unit is required
        {"rolloverThreshold": "0 MB"},
        {"cpicTraceLevel": 4},
        {"cleanup": -1},
        {"tlsTrace": "maybe"},
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(admin: TestClient, body: object) -> None:
    before = admin.get(LOG).json()

    response = admin.patch(LOG, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert admin.get(LOG).json() == before


def test_the_scc_level_changes_what_openscc_logs_at_once(
    admin: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, openscc logs a line per audit record; back at INFO, it does not."""
    admin.patch(LOG, json={"sccLogLevel": "DEBUG"})
    admin.put(PP_SETTINGS, json={"expirationToleranceInHr": 2, "certificateValidityInMin": 60})
    shown = _audit_debug_lines(caplog)
    caplog.clear()

    admin.patch(LOG, json={"sccLogLevel": "info"})
    admin.put(PP_SETTINGS, json={"expirationToleranceInHr": 3, "certificateValidityInMin": 60})

    assert "audit ppSettings.changed by Administrator" in shown
    assert _audit_debug_lines(caplog) == []


def test_level_off_silences_even_openscc_errors(admin: TestClient) -> None:
    admin.patch(LOG, json={"sccLogLevel": "OFF"})

    assert not logging.getLogger("openscc.server").isEnabledFor(logging.CRITICAL)


def test_the_other_level_governs_loggers_outside_openscc(
    admin: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The test client's own INFO lines (httpx) come and go with otherLogLevel."""
    admin.patch(LOG, json={"otherLogLevel": "WARN"})
    caplog.clear()
    admin.get(LOG)
    quiet = [r for r in caplog.records if r.name == "httpx"]

    admin.patch(LOG, json={"otherLogLevel": "INFO"})
    caplog.clear()
    admin.get(LOG)

    assert quiet == []
    assert [r for r in caplog.records if r.name == "httpx"]
    assert logging.getLogger("uvicorn.error").level == logging.INFO


def test_stored_levels_apply_at_the_next_start(
    admin: TestClient, admin_server: InProcessServer
) -> None:
    admin.patch(LOG, json={"sccLogLevel": "TRACE"})
    logging.getLogger("openscc").setLevel(logging.INFO)  # as a new process would start

    admin_server.restart()

    assert logging.getLogger("openscc").level == log_settings.TRACE


def test_every_role_reads_and_administrator_and_support_change(
    admin: TestClient, client_of_role: ClientOfRole
) -> None:
    assert client_of_role("sccsupport").patch(LOG, json={"cleanup": 7}).status_code == 204
    for role in ("sccassocadmin", "sccsubadmin", "sccdisplay", "sccmonitoring"):
        client = client_of_role(role)
        assert client.get(LOG).status_code == 200, role
        assert client.patch(LOG, json={"cleanup": 8}).status_code == 403, role
    assert admin.get(LOG).json()["cleanup"] == 7


def test_a_subaccount_trace_reads_false_until_switched_on(with_subaccount: TestClient) -> None:
    admin = with_subaccount
    assert admin.get(SA_TRACE).json() == {"trafficTrace": False, "payloadSncTrace": False}

    assert admin.patch(SA_TRACE, json={"trafficTrace": True}).status_code == 204

    assert admin.get(SA_TRACE).json() == {"trafficTrace": True, "payloadSncTrace": False}


def test_a_subaccount_trace_refuses_non_booleans(with_subaccount: TestClient) -> None:
    response = with_subaccount.patch(SA_TRACE, json={"payloadSncTrace": "yes"})

    assert response.status_code == 400
    assert with_subaccount.get(SA_TRACE).json()["payloadSncTrace"] is False


def test_an_unknown_subaccount_is_not_found(admin: TestClient) -> None:
    assert admin.get(SA_TRACE).status_code == 404
    assert admin.patch(SA_TRACE, json={"trafficTrace": True}).status_code == 404


def test_a_subaccount_trace_goes_with_its_subaccount(with_subaccount: TestClient) -> None:
    """Removed with the subaccount: one added again under the same name starts with defaults."""
    admin = with_subaccount
    admin.patch(SA_TRACE, json={"trafficTrace": True})
    admin.delete(f"{SUBACCOUNTS}/{REGION}/{SUBACCOUNT}")
    create_subaccount(admin)

    assert admin.get(SA_TRACE).json()["trafficTrace"] is False


def test_subaccount_trace_roles(with_subaccount: TestClient, client_of_role: ClientOfRole) -> None:
    assert (
        client_of_role("sccsupport").patch(SA_TRACE, json={"trafficTrace": True}).status_code == 204
    )
    for role in ("sccassocadmin", "sccsubadmin", "sccdisplay", "sccmonitoring"):
        client = client_of_role(role)
        assert client.get(SA_TRACE).status_code == 200, role
        assert client.patch(SA_TRACE, json={"trafficTrace": False}).status_code == 403, role

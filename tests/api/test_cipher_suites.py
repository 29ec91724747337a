"""The UI's cipher suites: documented names, the stored choice, validation, roles, and what a
choice makes a TLS context offer."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from openscc.config import cipher_suites
from support.config_api import CONFIG

AVAILABLE = f"{CONFIG}/availableCipherSuites"
ENABLED = f"{CONFIG}/connector/ui/cipherSuites"
TLS13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]
AES256 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
AES128 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
ClientOfRole = Callable[[str], TestClient]


def _server_context() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)


def test_available_suites_have_the_documented_names(admin: TestClient) -> None:
    """The list uses IANA names (as the JVM does), TLS 1.3 and TLS 1.2 suites alike."""
    names = admin.get(AVAILABLE).json()

    assert set(TLS13) <= set(names)
    assert {AES256, AES128} <= set(names)
    assert all(name.startswith("TLS_") for name in names)


def test_every_available_suite_is_enabled_by_default(admin: TestClient) -> None:
    assert admin.get(ENABLED).json() == admin.get(AVAILABLE).json()


def test_a_chosen_list_is_stored_in_its_order(admin: TestClient) -> None:
    chosen = [AES256, *TLS13, AES128]

    assert admin.post(ENABLED, json=chosen).status_code == 204

    assert admin.get(ENABLED).json() == chosen


def test_delete_enables_the_default_suites_again(admin: TestClient) -> None:
    admin.post(ENABLED, json=[AES256])

    assert admin.delete(ENABLED).status_code == 204

    assert admin.get(ENABLED).json() == admin.get(AVAILABLE).json()


@pytest.mark.parametrize(
    "body",
    [
        ["tls_ecdhe_rsa_with_aes_256_gcm_sha384"],  # names are case-sensitive
        ["ECDHE-RSA-AES256-GCM-SHA384"],  # OpenSSL's name is not the documented one
        ["TLS_RSA_WITH_NULL_SHA"],
        [],
        [AES256, 7],
        {"cipherSuites": [AES256]},
        "TLS_AES_128_GCM_SHA256",
    ],
)
def test_invalid_lists_are_refused_and_nothing_changes(admin: TestClient, body: object) -> None:
    response = admin.post(ENABLED, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert admin.get(ENABLED).json() == admin.get(AVAILABLE).json()


def test_some_but_not_all_tls13_suites_are_refused_with_the_reason(admin: TestClient) -> None:
    """Python's ssl module cannot choose among TLS 1.3 suites, so a part of them is refused
    instead of silently offering all."""
    response = admin.post(ENABLED, json=[AES256, "TLS_AES_128_GCM_SHA256"])

    assert response.status_code == 400
    assert "all together or not at all" in response.json()["message"]


def test_duplicates_count_once(admin: TestClient) -> None:
    admin.post(ENABLED, json=[AES256, AES256, AES128])

    assert admin.get(ENABLED).json() == [AES256, AES128]


def test_every_role_reads_and_only_the_administrator_changes(
    admin: TestClient, client_of_role: ClientOfRole
) -> None:
    for role in ("sccassocadmin", "sccsubadmin", "sccsupport", "sccdisplay", "sccmonitoring"):
        client = client_of_role(role)
        assert client.get(AVAILABLE).status_code == 200, role
        assert client.get(ENABLED).status_code == 200, role
        assert client.post(ENABLED, json=[AES256]).status_code == 403, role
        assert client.delete(ENABLED).status_code == 403, role


def test_a_choice_makes_the_context_offer_exactly_those_tls12_suites() -> None:
    context = _server_context()

    offered = cipher_suites.configure(context, [AES256])

    assert offered == [AES256]
    assert [c["name"] for c in context.get_ciphers() if c["protocol"] == "TLSv1.2"] == [
        "ECDHE-RSA-AES256-GCM-SHA384"
    ]
    assert context.maximum_version == ssl.TLSVersion.TLSv1_2  # no TLS 1.3 suite was chosen


def test_a_tls13_only_choice_turns_tls12_off() -> None:
    context = _server_context()

    cipher_suites.configure(context, TLS13)

    assert context.minimum_version == ssl.TLSVersion.TLSv1_3


def test_the_default_offers_every_available_suite() -> None:
    context = _server_context()

    offered = cipher_suites.configure(context, None)

    assert offered == cipher_suites.available_names()
    assert context.maximum_version != ssl.TLSVersion.TLSv1_2


def test_stored_names_this_build_lacks_are_skipped_and_none_left_means_the_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A configuration restored from another host never leaves the listener without suites."""
    partly = cipher_suites.configure(_server_context(), ["TLS_FROM_ELSEWHERE", AES128])
    none = cipher_suites.configure(_server_context(), ["TLS_FROM_ELSEWHERE"])

    assert partly == [AES128]
    assert none == cipher_suites.available_names()
    assert "TLS_FROM_ELSEWHERE" in caplog.text

"""The cipher suites the real ``openscc serve`` offers are the chosen ones, from its next start:
checked with real TLS handshakes by clients that offer one suite each."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable

import httpx
import pytest

from support.server_process import ServerProcess

ENABLED = "/api/v1/configuration/connector/ui/cipherSuites"
KEPT = ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384")
REMOVED = ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256")


def _handshake(server: ServerProcess, *, tls12_suite: str | None) -> str:
    """The suite agreed by a client that offers only ``tls12_suite`` over TLS 1.2 (None: only
    TLS 1.3); raises ssl.SSLError if the server refuses them."""
    context = ssl.create_default_context(cafile=str(server.certificate_path))
    context.check_hostname = False
    if tls12_suite is None:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    else:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(tls12_suite)
    with (
        socket.create_connection((server.host, server.port), timeout=10) as raw,
        context.wrap_socket(raw) as tls,
    ):
        cipher = tls.cipher()
        assert cipher is not None
        return cipher[0]


def _call(server: ServerProcess, method: str, body: object = None) -> int:
    response = httpx.request(
        method, server.url + ENABLED, json=body, auth=server.admin_auth, verify=False, timeout=10
    )
    return response.status_code


@pytest.mark.slow
def test_the_listener_offers_the_chosen_suites_after_a_restart(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory().start()
    assert _call(server, "POST", [KEPT[0]]) == 204

    # The running listener keeps the suites it started with.
    assert _handshake(server, tls12_suite=REMOVED[1]) == REMOVED[1]

    server.stop()
    server.start()

    assert _handshake(server, tls12_suite=KEPT[1]) == KEPT[1]
    with pytest.raises(ssl.SSLError):
        _handshake(server, tls12_suite=REMOVED[1])
    with pytest.raises(ssl.SSLError):
        _handshake(server, tls12_suite=None)  # no TLS 1.3 suite was chosen: TLS 1.3 is off


@pytest.mark.slow
def test_the_default_suites_come_back_after_delete_and_a_restart(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory().start()
    _call(server, "POST", [KEPT[0]])
    server.stop()
    server.start()
    assert _call(server, "DELETE") == 204

    server.stop()
    server.start()

    assert _handshake(server, tls12_suite=REMOVED[1]) == REMOVED[1]
    assert _handshake(server, tls12_suite=None).startswith("TLS_")

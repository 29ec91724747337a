"""Restore against a real ``openscc serve``: 204, restart in place, sessions gone, restored state served."""

from __future__ import annotations

import hashlib
import ssl
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # starts real server processes

BACKUP = "/api/v1/configuration/backup"
CONNECTOR = "/api/v1/configuration/connector"


def _wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.TransportError, OSError):
            pass  # the server is between its stop and its start
        time.sleep(0.1)
    raise AssertionError("the condition did not hold in time")


def _served_certificate_sha256(server: ServerProcess) -> str:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    import socket

    with socket.create_connection((server.host, server.port), timeout=5) as raw:
        # The handshake runs inside the with block, so a server that goes away mid-handshake
        # (it restarts) never leaves an unclosed TLS socket behind.
        with context.wrap_socket(raw, do_handshake_on_connect=False) as tls:
            tls.do_handshake()
            der = tls.getpeercert(binary_form=True)
    assert der is not None
    return hashlib.sha256(der).hexdigest()


def _pem_sha256(path: Path) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(path.read_text())).hexdigest()


def test_restore_restarts_in_place_and_ends_every_session(
    server_factory: Callable[..., ServerProcess],
) -> None:
    """After the 204 the server is back on the same port with the backup's configuration, and the
    old session cookie and CSRF token no longer work."""
    server = server_factory().start()
    auth = server.admin_auth
    with httpx.Client(base_url=server.url, verify=False, timeout=10) as http:
        http.put(CONNECTOR, auth=auth, json={"description": "in the backup"})
        archive = http.post(BACKUP, auth=auth, json={"password": "bk-pw"}).content
        http.put(CONNECTOR, auth=auth, json={"description": "after the backup"})
        session = http.get(CONNECTOR, auth=auth)
        token = session.headers["x-csrf-token"]
        cookie = http.cookies.get("JSESSIONID")
        assert cookie

        response = http.put(
            BACKUP, auth=auth, files={"backup": ("b.zip", archive)}, data={"password": "bk-pw"}
        )
        assert response.status_code == 204

    with httpx.Client(base_url=server.url, verify=False, timeout=10) as fresh:
        # Back within a few seconds, with the backup's configuration.
        _wait_until(
            lambda: (
                fresh.get(CONNECTOR, auth=auth, headers={"Connection": "close"}).json()[
                    "description"
                ]
                == "in the backup"
            ),
            timeout=10,
        )
    with httpx.Client(
        base_url=server.url, verify=False, timeout=10, cookies={"JSESSIONID": cookie}
    ) as old:
        read = old.get(CONNECTOR)
        write = old.put(CONNECTOR, json={"description": "x"}, headers={"X-CSRF-Token": token})
    assert read.status_code == 200
    assert read.headers["content-type"].startswith("text/html")
    assert write.headers["content-type"].startswith("text/html")
    assert server.is_running()


def test_restored_users_and_ui_certificate_are_in_force_after_restart(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """A backup of another instance brings its Administrator password and its UI certificate."""
    source = server_factory(tmp_path / "source", admin_password="source-pw").start()
    target = server_factory(tmp_path / "target", admin_password="target-pw").start()
    with httpx.Client(verify=False, timeout=10) as http:
        archive = http.post(
            source.url + BACKUP, auth=source.admin_auth, json={"password": "bk"}
        ).content
        source_cert = _pem_sha256(source.certificate_path)
        assert _served_certificate_sha256(target) != source_cert

        response = http.put(
            target.url + BACKUP,
            auth=target.admin_auth,
            files={"backup": ("b.zip", archive)},
            data={"password": "bk"},
        )
        assert response.status_code == 204

        _wait_until(lambda: _served_certificate_sha256(target) == source_cert)
        _wait_until(
            lambda: (
                http.get(target.url + CONNECTOR, auth=("Administrator", "source-pw")).status_code
                == 200
            )
        )
        refused = http.get(target.url + CONNECTOR, auth=("Administrator", "target-pw"))
    assert refused.status_code == 401

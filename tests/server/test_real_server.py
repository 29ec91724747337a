"""The real `openscc serve`: HTTPS on a free port, TLS 1.2+, its UI certificate, props.ini."""

from __future__ import annotations

import socket
import sqlite3
import ssl
import stat
import warnings
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from openscc import SCC_API_VERSION
from openscc.layout import DATABASE, PROPS
from openscc.store.migrations import SCHEMA_VERSION
from support.apps import ADMINISTRATOR, INITIAL_PASSWORD
from support.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow

VERSION = "/api/v1/connector/version"
ServerFactory = Callable[..., ServerProcess]


def _stored_ui_certificate(data_dir: Path) -> bytes:
    """The DER of the UI certificate in the instance's store (read-only, beside the server)."""
    uri = f"file:{data_dir / DATABASE.name}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        (pem,) = conn.execute(
            "SELECT json_extract(body, '$.certificatePem') FROM entity WHERE kind = 'uiCertificate'"
        ).fetchone()
        (schema,) = conn.execute("PRAGMA user_version").fetchone()
    assert schema == SCHEMA_VERSION
    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)


def _handshake(server: ServerProcess, context: ssl.SSLContext) -> tuple[str | None, bytes | None]:
    """(TLS version, DER certificate) of a bare TLS handshake with the server."""
    with socket.create_connection((server.host, server.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=server.host) as tls:
            return tls.version(), tls.getpeercert(binary_form=True)


def _client_context(*, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client context trusting anything; with ``maximum``, one that really offers old TLS."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if maximum is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # old versions are the point
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            context.maximum_version = maximum
        # Security level 0, so this client's own OpenSSL does not drop TLS 1.1 before sending it.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def _answers(url: str) -> bool:
    try:
        httpx.get(url + VERSION, verify=False, timeout=2)
    except httpx.TransportError:
        return False
    return True


def test_real_server_serves_https_with_its_ui_certificate(running_server: ServerProcess) -> None:
    """`openscc serve` answers HTTPS with the UI certificate from its store, valid for 127.0.0.1."""
    stored = _stored_ui_certificate(running_server.data_dir)

    version, served = _handshake(running_server, _client_context())
    with running_server.client(auth=running_server.admin_auth) as client:
        response = client.get(VERSION)

    assert served == stored
    assert version in ("TLSv1.2", "TLSv1.3")
    assert response.status_code == 200
    assert response.json() == {"version": SCC_API_VERSION}
    assert response.headers["x-csrf-token"]
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_real_server_refuses_tls_below_1_2(running_server: ServerProcess) -> None:
    """A client that speaks at most TLS 1.1 cannot complete a handshake."""
    with pytest.raises((ssl.SSLError, ConnectionResetError)) as refused:
        _handshake(running_server, _client_context(maximum=ssl.TLSVersion.TLSv1_1))

    version, _ = _handshake(running_server, _client_context(maximum=ssl.TLSVersion.TLSv1_2))

    assert "NO_CIPHERS_AVAILABLE" not in str(refused.value)  # the server refused, not this client
    assert "NO_PROTOCOLS_AVAILABLE" not in str(refused.value)
    assert version == "TLSv1.2"


def test_real_server_first_start_initialises_the_data_directory(
    server_factory: ServerFactory,
) -> None:
    """A first start on an empty directory creates store, props.ini, key, certificate; 0700/0600."""
    server = server_factory(admin_password=None).start()
    data_dir = server.data_dir

    with server.client() as client:
        response = client.get(VERSION, auth=(ADMINISTRATOR, INITIAL_PASSWORD))

    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "master.key").stat().st_mode) == 0o600
    assert (data_dir / PROPS.name).exists()
    assert _stored_ui_certificate(data_dir)
    assert response.status_code == 403
    assert response.json()["message"] == "operation unavailable unless initial password is changed"


def test_real_server_honours_props_ini_and_flags_override_it(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    """Without flags the server listens where props.ini says; --port wins over props.ini."""
    data_dir = tmp_path / "props-data"
    data_dir.mkdir()
    props_port, flag_port = free_port(), free_port()
    (data_dir / PROPS.name).write_text(f"[server]\nhost = 127.0.0.1\nport = {props_port}\n")
    from_props = server_factory(data_dir, port=props_port, pass_address=False).start()
    from_props.stop()

    overridden = server_factory(data_dir, port=flag_port).start()

    assert overridden.is_running()
    assert _answers(overridden.url)
    assert not _answers(from_props.url)
    assert f"port = {props_port}" in (data_dir / PROPS.name).read_text()
    assert "--- start: " in from_props.log_text()


def test_real_server_restarts_on_the_same_data_directory(running_server: ServerProcess) -> None:
    """Stopping and starting again keeps the configuration (the admin password still works)."""
    running_server.stop()

    running_server.start()
    with running_server.client(auth=running_server.admin_auth) as client:
        response = client.get("/api/v1/configuration/connector")

    assert response.status_code == 200
    assert response.json()["ha"] == {"role": "master"}

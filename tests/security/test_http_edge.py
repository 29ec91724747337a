"""The HTTP edge of a real server: request heads are bounded in size and in time, connections in
number (props.ini ``[http]``). Each test sends what a hostile client would over raw TLS."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.server_process import ServerProcess

pytestmark = pytest.mark.slow  # starts real server processes

HEAD_TIMEOUT = 2.0
MAX_CONNECTIONS = 8


@pytest.fixture
def edge_server(tmp_path: Path, server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    data_dir = tmp_path / "edge-data"
    data_dir.mkdir(mode=0o700)
    (data_dir / "props.ini").write_text(
        "[http]\n"
        "max_line_bytes = 16384\n"
        "max_head_bytes = 65536\n"
        f"head_timeout_seconds = {HEAD_TIMEOUT}\n"
        f"max_connections = {MAX_CONNECTIONS}\n"
    )
    return server_factory(data_dir, admin_password="Edge-admin-pa55").start()


@contextmanager
def tls(server: ServerProcess) -> Iterator[ssl.SSLSocket]:
    context = ssl.create_default_context(cafile=str(server.certificate_path))
    with socket.create_connection((server.host, server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server.host) as sock:
            yield sock


def read_all(sock: ssl.SSLSocket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, ssl.SSLError, TimeoutError):
        pass
    return data


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_header_line_over_the_limit_is_431(edge_server: ServerProcess) -> None:
    with tls(edge_server) as sock:
        sock.sendall(b"GET /api/v1/connector/version HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sock.sendall(b"a" * 20_000 + b"\r\n\r\n")
        answer = read_all(sock)

    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_head_over_the_limit_in_many_small_lines_is_431(edge_server: ServerProcess) -> None:
    lines = b"".join(b"X-H-%05d: %s\r\n" % (n, b"v" * 100) for n in range(1000))  # ~116 KiB
    with tls(edge_server) as sock:
        sock.sendall(b"GET /api/v1/connector/version HTTP/1.1\r\nHost: x\r\n" + lines)
        answer = read_all(sock)

    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_request_line_over_the_limit_is_414(edge_server: ServerProcess) -> None:
    with tls(edge_server) as sock:
        sock.sendall(b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_all(sock)

    assert answer.startswith(b"HTTP/1.1 414 ")


def test_a_head_sent_slowly_is_cut_off_after_the_head_timeout(edge_server: ServerProcess) -> None:
    """A header line every half second never completes the head: 408 and the connection
    closes once the head timeout has passed, not whenever the client stops."""
    with tls(edge_server) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /api/v1/connector/version HTTP/1.1\r\nHost: x\r\n")
        closed_after = None
        answer = b""
        for number in range(40):
            time.sleep(0.5)
            try:
                sock.sendall(b"X-Slow-%d: y\r\n" % number)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            sock.settimeout(0.01)
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ssl.SSLWantReadError):
                continue
            except (ConnectionResetError, ssl.SSLError):
                chunk = b""
            answer += chunk
            if not chunk or answer.endswith(b"\n"):
                closed_after = time.monotonic() - started
                break

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert closed_after is not None
    assert HEAD_TIMEOUT - 0.5 < closed_after < HEAD_TIMEOUT + 2


def test_an_idle_connection_is_closed_after_the_head_timeout(edge_server: ServerProcess) -> None:
    with tls(edge_server) as sock:
        started = time.monotonic()
        answer = read_all(sock)
        waited = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert waited < HEAD_TIMEOUT + 2


def test_an_endless_header_line_does_not_grow_memory(edge_server: ServerProcess) -> None:
    """150 MiB of one unfinished header line: refused after 64 KiB (what follows is discarded
    while the connection closes), and the server's memory does not grow with it."""
    assert edge_server.pid is not None
    before = rss_kib(edge_server.pid)
    chunk = b"a" * (1024 * 1024)
    sent = 0
    with tls(edge_server) as sock:
        sock.sendall(b"GET /api/v1/connector/version HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        try:
            for _ in range(150):
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            pass
    after = rss_kib(edge_server.pid)

    assert sent > 0
    assert after - before < 16 * 1024, f"RSS grew by {after - before} KiB"
    assert "request header fields too large" in edge_server.log_text()


def test_connections_beyond_the_limit_are_closed(edge_server: ServerProcess) -> None:
    """With MAX_CONNECTIONS idle connections open, one more is closed at once, and once they
    are gone the server answers again."""
    context = ssl.create_default_context(cafile=str(edge_server.certificate_path))
    held: list[ssl.SSLSocket] = []
    try:
        for _ in range(MAX_CONNECTIONS):
            raw = socket.create_connection((edge_server.host, edge_server.port), timeout=10)
            held.append(context.wrap_socket(raw, server_hostname=edge_server.host))
        with tls(edge_server) as extra:
            extra.settimeout(5)
            refused = read_all(extra)
    finally:
        for sock in held:
            sock.close()

    assert refused == b""
    time.sleep(0.3)
    with edge_server.client(auth=edge_server.admin_auth) as http:
        assert http.get("/api/v1/connector/version").status_code == 200

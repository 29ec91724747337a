"""What openscc's HTTP and TLS edges rely on in the protocols they subclass: uvicorn's
``HttpToolsProtocol`` (openscc.http_edge, pinned to uvicorn's minor version in pyproject.toml)
and asyncio's ``SSLProtocol`` (openscc.tls_edge). An upgrade that renames or reshapes any of it
fails here, by name, before it fails in production; the behaviour itself is tested end to end in
tests/security/test_http_edge.py."""

from __future__ import annotations

import inspect
from asyncio import sslproto
from importlib.metadata import version

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from openscc.http_edge import LimitedHttpProtocol
from openscc.tls_edge import _EdgeTls

# Methods of HttpToolsProtocol that LimitedHttpProtocol overrides or calls, with the parameters
# it passes them.
HTTP_METHODS = {
    "connection_made": ["transport"],
    "connection_lost": ["exc"],
    "data_received": ["data"],
    "on_message_begin": [],
    "on_headers_complete": [],
    "on_body": ["body"],
    "on_message_complete": [],
    "shutdown": [],
    "send_400_response": ["msg"],
    "handle_websocket_upgrade": [],
    "_unset_keepalive_if_required": [],
    "_should_upgrade": [],
    "_unsupported_upgrade_warning": [],
}
# State of a connection LimitedHttpProtocol reads: set by uvicorn's __init__ or connection_made.
HTTP_STATE = ("parser", "cycle", "transport", "loop", "client")
SSL_METHODS = {
    "connection_made": ["transport"],
    "buffer_updated": ["nbytes"],
    "_on_handshake_complete": ["handshake_exc"],
    "connection_lost": ["exc"],
}


def _parameters(cls: type, name: str) -> list[str]:
    return [p for p in inspect.signature(getattr(cls, name)).parameters if p != "self"]


def test_uvicorn_is_the_pinned_minor_version() -> None:
    assert version("uvicorn").startswith("0.55."), uvicorn.__version__


def test_the_http_protocol_methods_relied_on_exist_with_their_parameters() -> None:
    found = {name: _parameters(HttpToolsProtocol, name) for name in HTTP_METHODS}

    assert found == HTTP_METHODS
    assert issubclass(LimitedHttpProtocol, HttpToolsProtocol)


def test_the_http_protocol_state_relied_on_is_set() -> None:
    source = inspect.getsource(HttpToolsProtocol)

    assert [name for name in HTTP_STATE if f"self.{name} =" not in source] == []
    assert {408, 413, 414, 431} <= set(STATUS_LINE)


def test_the_tls_protocol_methods_and_state_relied_on_exist() -> None:
    found = {name: _parameters(sslproto.SSLProtocol, name) for name in SSL_METHODS}
    init = inspect.signature(sslproto.SSLProtocol.__init__).parameters

    assert found == SSL_METHODS
    assert {"ssl_handshake_timeout", "ssl_shutdown_timeout", "server_side"} <= set(init)
    assert isinstance(sslproto.SSLProtocol.max_size, int)
    assert issubclass(_EdgeTls, sslproto.SSLProtocol)


def test_the_tls_protocol_keeps_its_received_bytes_where_the_edge_reads_them() -> None:
    """tls_edge bounds what a refused connection may buffer by reading ``_incoming``."""
    source = inspect.getsource(sslproto.SSLProtocol.__init__)

    assert "self._incoming = ssl.MemoryBIO()" in source

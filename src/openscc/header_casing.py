"""Response header names spelled as the Cloud Connector (Tomcat) sends them.

HTTP header names are case-insensitive, but shell scripts written against the product
``grep``/``sed`` for ``X-CSRF-Token:`` or ``Location:`` in ``curl -i`` output. Starlette and
uvicorn send every name in lower case; the HTTP edge (openscc.http_edge) rewrites the names of
each response head on its way to the socket with :func:`canonical_head`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

# Names whose usual spelling is not "each dash-separated word capitalised".
_SPECIAL = {
    b"x-csrf-token": b"X-CSRF-Token",
    b"www-authenticate": b"WWW-Authenticate",
    b"etag": b"ETag",
    b"content-md5": b"Content-MD5",
    b"x-xss-protection": b"X-XSS-Protection",
    b"dnt": b"DNT",
    b"te": b"TE",
}
_SEPARATOR = b": "
_LINE_END = b"\r\n"


def canonical_name(name: bytes) -> bytes:
    """``content-type`` → ``Content-Type``, ``x-csrf-token`` → ``X-CSRF-Token``."""
    lower = name.lower()
    special = _SPECIAL.get(lower)
    if special is not None:
        return special
    return b"-".join(word[:1].upper() + word[1:] for word in lower.split(b"-"))


def canonical_head(head: bytes) -> bytes:
    """A response head (status line, header lines, blank line) with every header name in its
    canonical spelling; values, order and anything after the head are left as they are."""
    end = head.find(_LINE_END + _LINE_END)
    if end < 0:
        return head
    lines = head[:end].split(_LINE_END)
    for index in range(1, len(lines)):
        name, separator, value = lines[index].partition(_SEPARATOR)
        if separator:
            lines[index] = canonical_name(name) + separator + value
    return _LINE_END.join(lines) + head[end:]


class _Cycle(Protocol):
    response_started: bool


class CanonicalHeadTransport:
    """The transport one request's response is written to: the first write after the response
    started is its head (uvicorn writes a head in one call; a ``100 Continue`` goes out before
    the response starts), and gets canonical header names; everything else passes through."""

    def __init__(self, transport: asyncio.Transport, cycle: _Cycle) -> None:
        self._transport = transport
        self._cycle = cycle
        self._head_written = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._head_written and self._cycle.response_started:
            self._head_written = True
            data = canonical_head(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

"""The HTTP edge: limits on what a client may send before and while the application reads it.

uvicorn's HTTP parser accepts a request head of any size and waits for it, and for the body,
forever; a client could hold memory with one endless header line or hold connections open by
sending a byte every few seconds. This protocol (uvicorn's httptools protocol, with limits)
answers:

- ``414`` for a request line longer than ``max_line_bytes``;
- ``431`` for a header line longer than ``max_line_bytes`` or a head larger than
  ``max_head_bytes`` (what is over the limit is never read into memory);
- ``408`` and closes the connection when a complete request head has not arrived within
  ``head_timeout_seconds`` of the connection opening or of the request's first byte;
- ``408`` and closes the connection when, over any ``body_timeout_seconds`` in which the server
  was reading a request's body, fewer than ``min_body_bytes_per_second`` per second arrived (a
  stalled or trickling body); time in which the server itself paused reading does not count.

One timer per event loop checks every connection a few times per timeout. Connections are
counted, per client address too, and TLS handshakes timed before this protocol sees them
(openscc.tls_edge). The limits are set in ``props.ini`` (section ``[http]``; docs/api.md,
"Limits").
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from openscc.header_casing import CanonicalHeadTransport
from openscc.props import HttpLimits

logger = logging.getLogger("openscc.http")


class _HeadTooLarge(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class LimitedHttpProtocol(HttpToolsProtocol):
    limits: HttpLimits = HttpLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        # When the head now being read began (loop time); None while no head is being read.
        self._head_since: float | None = None
        # The body now being read: when the current window of reading began, and its bytes;
        # None while no body is being read.
        self._body_window: float | None = None
        self._body_bytes = 0

    # Connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_since = self.loop.time()
        _Watch.of(self.loop, self.limits).add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        _Watch.of(self.loop, self.limits).discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # As uvicorn's own, with the head's size counted (and its lines checked once complete).
        self._unset_keepalive_if_required()
        try:
            self._feed(data)
        except _HeadTooLarge as error:
            self._refuse(error.status, error.reason)
        except httptools.HttpParserError as error:
            cause = error.__context__
            if isinstance(cause, _HeadTooLarge):
                self._refuse(cause.status, cause.reason)
                return
            logger.info("refused an invalid request from %s", self._peer())
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def _feed(self, data: bytes) -> None:
        if not self._in_head:
            self.parser.feed_data(data)
            return
        room = self.limits.max_head_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            self.parser.feed_data(data)
            return
        # Only what fits is parsed: if the head is not complete within it, the rest is never
        # read into memory.
        self._head_bytes += room
        self.parser.feed_data(data[:room])
        if self._in_head:
            raise _HeadTooLarge(431, "request header fields too large")
        self.parser.feed_data(data[room:])

    # Parser callbacks

    def on_message_begin(self) -> None:
        # The head's bytes are counted from the end of the previous message (on_message_complete)
        # or the connection's start, never reset here: the chunk this is called from is counted.
        super().on_message_begin()
        self._in_head = True
        if self._head_since is None:
            self._head_since = self.loop.time()

    def on_headers_complete(self) -> None:
        # Every line was at most max_head_bytes long, since the head was; the line limit is
        # checked once here rather than in a callback per header.
        line = self.limits.max_line_bytes
        if len(self.url) > line:
            raise _HeadTooLarge(414, "request line too long")
        for name, value in self.headers:
            if len(name) + len(value) > line:
                raise _HeadTooLarge(431, "request header line too large")
        self._in_head = False
        self._head_since = None
        self._body_window, self._body_bytes = self.loop.time(), 0
        super().on_headers_complete()
        # The answer's header names go out as the product spells them (openscc.header_casing).
        self.cycle.transport = CanonicalHeadTransport(self.transport, self.cycle)  # type: ignore[assignment]

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # Whatever comes next on this connection is the head of another request.
        self._in_head = True
        self._head_bytes = 0
        self._body_window = None

    def shutdown(self) -> None:
        """The server is stopping: an idle connection ends at once. A TLS close would wait for
        the client's close_notify (a keep-alive client sends none), holding the stop up to
        its graceful timeout; an answer under way finishes first, as uvicorn does."""
        if self.cycle is None or self.cycle.response_complete:
            self.transport.abort()
        else:
            super().shutdown()

    # Refusals

    def send_400_response(self, msg: str) -> None:
        # uvicorn's own writes lower-case header names; the refusal's are spelled as every
        # other answer's.
        self._refuse(400, msg)

    def overdue(self, now: float) -> None:
        """Called by the watch a few times per timeout: refuse a head that took too long, or a
        body that stalls or trickles."""
        since = self._head_since
        if since is not None and now - since > self.limits.head_timeout_seconds:
            self._head_since = None
            if not self.transport.is_closing():
                self._refuse(408, "the request head did not arrive in time")
            return
        window = self._body_window
        if window is None or self.transport.is_closing():
            return
        if self.flow.read_paused:  # the application is behind, not the client
            self._body_window, self._body_bytes = now, 0
            return
        elapsed = now - window
        if elapsed < self.limits.body_timeout_seconds:
            return
        if self._body_bytes < self.limits.min_body_bytes_per_second * elapsed:
            self._body_window = None
            self._refuse(408, "the request body did not arrive in time")
        else:
            self._body_window, self._body_bytes = now, 0

    def _refuse(self, status: int, reason: str) -> None:
        self._head_since = None
        self._body_window = None
        logger.info("refused a request from %s: %s", self._peer(), reason)
        if self.transport.is_closing():
            return
        if self.cycle is not None and self.cycle.response_started:
            self.transport.abort()  # an answer is under way: no second one
            return
        body = f"{reason}\n".encode()
        self.transport.write(
            STATUS_LINE[status]
            + b"Content-Type: text/plain; charset=utf-8\r\n"
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + body
        )
        # Nothing more is read from this client; a TLS close waits for the client's close_notify,
        # so the connection is dropped outright if it has not ended a moment later.
        self.transport.pause_reading()
        self.transport.close()
        self.loop.call_later(1.0, self.transport.abort)

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "a client"


class _Watch:
    """One timer per event loop that looks at every open connection a few times per timeout,
    instead of a timer armed and cancelled for every request."""

    _by_loop: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, limits: HttpLimits) -> None:
        self._loop = loop
        shortest = min(limits.head_timeout_seconds, limits.body_timeout_seconds)
        self._interval = max(0.05, min(1.0, shortest / 4))
        self._protocols: weakref.WeakSet[LimitedHttpProtocol] = weakref.WeakSet()
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, limits: HttpLimits) -> _Watch:
        watch = cls._by_loop.get(loop)
        if watch is None:
            watch = cls._by_loop[loop] = cls(loop, limits)
        return watch

    def add(self, protocol: LimitedHttpProtocol) -> None:
        self._protocols.add(protocol)
        if self._timer is None:
            self._timer = self._loop.call_later(self._interval, self._tick)

    def discard(self, protocol: LimitedHttpProtocol) -> None:
        self._protocols.discard(protocol)

    def _tick(self) -> None:
        self._timer = None
        now = self._loop.time()
        for protocol in list(self._protocols):
            protocol.overdue(now)
        if self._protocols:
            self._timer = self._loop.call_later(self._interval, self._tick)


def limited_protocol(limits: HttpLimits) -> type[LimitedHttpProtocol]:
    """The HTTP protocol class with these limits."""
    return type("OpensccHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})

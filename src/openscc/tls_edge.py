"""TLS at the edge: every connection counted from ``accept()``, in total and per client address,
and a handshake that does not finish in time ended.

Given TLS, asyncio hands a connection to the HTTP protocol only once its handshake is done; a
client that opens TCP connections and never starts the handshake escaped the HTTP edge's counts
and timers and was held for asyncio's default 60 s (4,000 idle connections held 4,021 file
descriptors; 21,000 reached the descriptor limit). So the listening socket is plain, and each
accepted connection gets asyncio's own TLS protocol (``asyncio.sslproto.SSLProtocol``, what
``loop.create_server(ssl=...)`` uses) through this subclass, which:

- counts the connection when the socket is accepted, and closes it at once beyond
  ``max_connections_per_address`` from its address;
- at ``max_connections`` in all, makes room by closing the oldest connection still in its
  handshake (it has not sent a request yet; a legitimate client finishes its handshake in
  milliseconds), and closes the new one only when every connection is past its handshake;
- gives the handshake ``handshake_timeout_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from asyncio import sslproto
from collections.abc import Callable
from typing import Any, cast

from openscc.http_edge import HttpLimits, LimitedHttpProtocol

logger = logging.getLogger("openscc.http")
_SHUTDOWN_TIMEOUT_SECONDS = 5


class _EdgeTls(sslproto.SSLProtocol):
    # asyncio's default is 256 KiB per connection, allocated at its first read: a flood of
    # handshakes held 317 KiB each. A TLS record is at most 16 KiB.
    max_size = 32 * 1024

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        http: asyncio.Protocol,
        context: ssl.SSLContext,
        accepted: AcceptedConnections,
    ) -> None:
        super().__init__(
            loop,
            http,
            context,
            None,  # type: ignore[arg-type]  # no waiter: nothing awaits the handshake
            server_side=True,
            # Seconds, any number (typeshed says int).
            ssl_handshake_timeout=accepted.limits.handshake_timeout_seconds,  # type: ignore[arg-type]
            ssl_shutdown_timeout=_SHUTDOWN_TIMEOUT_SECONDS,
        )
        self._accepted = accepted
        self.address: str | None = None  # while it is counted
        self.raw: asyncio.Transport | None = None  # once admitted

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's or uvloop's socket transport: not an asyncio.Transport, the same methods.
        raw = cast(asyncio.Transport, transport)
        peer = raw.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if not self._accepted.admit(self, address):
            raw.abort()  # before any handshake: nothing is read from it
            return
        self.address, self.raw = address, raw
        super().connection_made(transport)

    def _on_handshake_complete(self, handshake_exc: BaseException | None) -> None:
        self._accepted.handshaken(self)
        super()._on_handshake_complete(handshake_exc)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.raw is None:
            return  # refused at once: the TLS layer never started
        self._accepted.release(self)
        super().connection_lost(exc)


class AcceptedConnections:
    """The connections open now: how many, from which addresses, which are in their handshake
    (oldest first)."""

    def __init__(self, limits: HttpLimits) -> None:
        self.limits = limits
        self.total = 0
        self.by_address: dict[str, int] = {}
        self._handshaking: dict[_EdgeTls, None] = {}  # insertion order: oldest first
        self._refused = 0
        self._reported = 0.0

    def admit(self, connection: _EdgeTls, address: str) -> bool:
        held = self.by_address.get(address, 0)
        if held >= self.limits.max_connections_per_address:
            self._note_refused(address)
            return False
        if self.total >= self.limits.max_connections and not self._evict_oldest_handshake():
            self._note_refused(address)
            return False
        self.total += 1
        self.by_address[address] = held + 1
        self._handshaking[connection] = None
        return True

    def handshaken(self, connection: _EdgeTls) -> None:
        self._handshaking.pop(connection, None)

    def release(self, connection: _EdgeTls) -> None:
        """Count the connection out (once: an evicted one is counted out when evicted)."""
        address, connection.address = connection.address, None
        if address is None:
            return
        self._handshaking.pop(connection, None)
        self.total -= 1
        held = self.by_address[address] - 1
        if held:
            self.by_address[address] = held
        else:
            del self.by_address[address]

    def _evict_oldest_handshake(self) -> bool:
        oldest = next(iter(self._handshaking), None)
        if oldest is None or oldest.raw is None:
            return False
        self.release(oldest)  # now, so the new connection has its place at once
        oldest.raw.abort()
        return True

    def _note_refused(self, address: str) -> None:
        # At most one log line a second, whatever the rate of refusals.
        self._refused += 1
        now = time.monotonic()
        if now - self._reported >= 1.0:
            logger.warning(
                "refused %d connection(s) over the limits (%d open, %d from %s)",
                self._refused,
                self.total,
                self.by_address.get(address, 0),
                address,
            )
            self._refused, self._reported = 0, now


def tls_protocol(
    http_protocol: type[LimitedHttpProtocol], context: ssl.SSLContext, limits: HttpLimits
) -> Callable[..., asyncio.BaseProtocol]:
    """What uvicorn calls per accepted connection (its ``http_protocol_class``): the HTTP
    protocol, behind TLS counted and timed here."""
    accepted = AcceptedConnections(limits)

    def accept(**uvicorn_args: Any) -> asyncio.BaseProtocol:
        http = http_protocol(**uvicorn_args)
        return _EdgeTls(http.loop, http, context, accepted)

    return accept

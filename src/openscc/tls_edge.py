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
  handshake (a legitimate client finishes it in milliseconds), or else the oldest connection of
  the address that holds the most, if it holds more than the newcomer's address: a few
  addresses holding every connection (1,000 bodies trickling in) cannot keep another out;
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

from openscc.http_edge import LimitedHttpProtocol
from openscc.props import HttpLimits

logger = logging.getLogger("openscc.http")
_SHUTDOWN_TIMEOUT_SECONDS = 5
# What may wait unread in a connection's TLS buffer (asyncio pauses reading at 256 KiB itself
# while it delivers data; this bounds the states in which it does not).
_MAX_UNREAD_BYTES = 512 * 1024


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
        self.raw = raw
        if not self._accepted.admit(self, address):
            self.raw = None
            raw.abort()  # before any handshake: nothing is read from it
            return
        super().connection_made(transport)

    def buffer_updated(self, nbytes: int) -> None:
        super().buffer_updated(nbytes)
        # Once the HTTP side closes a connection it refused (431, 408), asyncio keeps reading
        # what the client sends into its TLS buffer until the close completes; a client sending
        # 150 MiB would have it all kept. Past a few records nothing more is read.
        incoming: ssl.MemoryBIO = self.__dict__["_incoming"]  # asyncio's received TLS bytes
        if incoming.pending > _MAX_UNREAD_BYTES and self.raw is not None:
            self.raw.pause_reading()

    def _on_handshake_complete(self, handshake_exc: BaseException | None) -> None:
        self._accepted.handshaken(self)
        super()._on_handshake_complete(handshake_exc)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.raw is None:
            return  # refused at once: the TLS layer never started
        self._accepted.release(self)
        super().connection_lost(exc)


class AcceptedConnections:
    """The connections open now: how many, from which addresses (each address's oldest first),
    which are still in their handshake (oldest first)."""

    def __init__(self, limits: HttpLimits) -> None:
        self.limits = limits
        self.total = 0
        self._by_address: dict[str, dict[_EdgeTls, None]] = {}
        self._handshaking: dict[_EdgeTls, None] = {}
        self._refused = 0
        self._reported = 0.0

    def held_by(self, address: str) -> int:
        return len(self._by_address.get(address, ()))

    def admit(self, connection: _EdgeTls, address: str) -> bool:
        held = self.held_by(address)
        if held >= self.limits.max_connections_per_address:
            self._note_refused(address)
            return False
        if self.total >= self.limits.max_connections and not self._make_room(held):
            self._note_refused(address)
            return False
        connection.address = address
        self.total += 1
        self._by_address.setdefault(address, {})[connection] = None
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
        mine = self._by_address[address]
        del mine[connection]
        if not mine:
            del self._by_address[address]

    def _make_room(self, held_by_newcomer: int) -> bool:
        """Close one connection for a newcomer: the oldest still in its handshake (it has not
        sent a request yet), else the oldest of the address holding the most connections, if
        that address holds more than the newcomer's would (a fair share: a few addresses
        holding everything cannot keep another out)."""
        victim = next(iter(self._handshaking), None)
        if victim is None:
            heaviest = max(self._by_address.values(), key=len, default={})
            if len(heaviest) <= held_by_newcomer + 1:
                return False
            victim = next(iter(heaviest))
        raw = victim.raw
        self.release(victim)  # now, so the newcomer has its place at once
        if raw is not None:
            raw.abort()
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
                self.held_by(address),
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

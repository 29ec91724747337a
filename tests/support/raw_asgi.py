"""One request straight to an ASGI app, its body given message by message: for what a test
client cannot do (a client that goes away mid-upload, a chunked body counted as it is read)."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any

from openscc.auth.users import ADMINISTRATOR
from support.apps import ADMIN_PASSWORD


@dataclass
class RawExchange:
    """What the app sent back, and how many receive messages it asked for."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    received: int = 0

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])


def send_raw(
    app: Any,
    method: str,
    path: str,
    messages: list[dict[str, Any]],
    *,
    headers: list[tuple[bytes, bytes]],
    user: str = ADMINISTRATOR,
    password: str = ADMIN_PASSWORD,
) -> RawExchange:
    """Run one request as ``user``; the body is ``messages``, then a disconnect."""
    token = base64.b64encode(f"{user}:{password}".encode())
    exchange = RawExchange()

    async def receive() -> dict[str, Any]:
        exchange.received += 1
        if exchange.received <= len(messages):
            return messages[exchange.received - 1]
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        exchange.sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 443),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", b"Basic " + token),
            *headers,
        ],
    }
    asyncio.run(app(scope, receive, send))
    return exchange


def body_messages(chunks: list[bytes]) -> list[dict[str, Any]]:
    """A body sent in these chunks, the last one closing it."""
    return [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]

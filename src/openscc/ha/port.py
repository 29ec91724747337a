"""The HA port: where the pair's own requests may also come in, and nothing else."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from openscc.ha.protocol import PREFIX

_NOT_HERE = b'{"type":"NOT_FOUND","message":"only the high-availability protocol is served here"}'


class HaPortOnly:
    """Requests on the HA port reach the pair's protocol only (404 for everything else); the UI
    port serves everything, the protocol included."""

    def __init__(self, app: ASGIApp, ha_port: int) -> None:
        self.app = app
        self.ha_port = ha_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and _port(scope) == self.ha_port
            and not str(scope["path"]).startswith(PREFIX + "/")
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": _NOT_HERE})
            return
        await self.app(scope, receive, send)


def _port(scope: Scope) -> int | None:
    server = scope.get("server")
    return int(server[1]) if server else None

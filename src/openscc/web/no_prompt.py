"""The web page's requests get their 401 without ``WWW-Authenticate: Basic``: a browser would
answer that header with its own credentials dialog (and a headless one waits for it forever),
where the page shows its logon form instead. The page marks its requests as scripts do,
``X-Requested-With: XMLHttpRequest``; every other client keeps the challenge."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_MARK = (b"x-requested-with", b"xmlhttprequest")


class NoBasicPromptForPage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not any(
            (name.lower(), value.lower()) == _MARK for name, value in scope["headers"]
        ):
            await self.app(scope, receive, send)
            return

        async def send_without_challenge(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                message["headers"] = [
                    (n, v)
                    for n, v in message.get("headers", [])
                    if n.lower() != b"www-authenticate"
                ]
            await send(message)

        await self.app(scope, receive, send_without_challenge)

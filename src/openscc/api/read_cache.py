"""Answers of heavy configuration lists, kept until the configuration changes.

Clients such as SAP's Terraform provider read the same lists again and again; building a list of
a thousand system mappings costs tens of milliseconds. An answer is reused only while the store's
change stamp (``EntityStore.change_stamp``: any write by this process or another moves it) is the
one taken before it was built, so a reused answer is never older than the configuration. The
caller's authorization is checked on every request before the cache is consulted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.answer_cache import CachedAnswer
from openscc.api.context import Caller, base_url, services

Handler = Callable[[Request, Caller], Awaitable[Response]]


def cached_until_change(handler: Handler) -> Handler:
    """Reuse the handler's 200 answer for the same URL while the configuration is unchanged."""

    async def answer(request: Request, caller: Caller) -> Response:
        svc = services(request)
        stamp = svc.instance.store.change_stamp()  # taken before reading: never newer than it
        key = (
            base_url(request),
            request.url.path,
            request.url.query,
            request.headers.get("accept", ""),
        )
        if stamp is not None:
            hit = svc.read_cache.get(key, stamp)
            if hit is not None:
                return Response(hit.body, status_code=hit.status, headers=dict(hit.headers))
        response = await handler(request, caller)
        if stamp is not None and response.status_code == 200 and response.background is None:
            headers = tuple(
                (name, value)
                for name, value in response.headers.items()
                if name != "content-length"
            )
            svc.read_cache.put(key, CachedAnswer(stamp, 200, bytes(response.body), headers))
        return response

    answer.__name__ = handler.__name__
    answer.__doc__ = handler.__doc__
    return answer

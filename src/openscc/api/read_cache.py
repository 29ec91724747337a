"""Answers of heavy configuration lists, kept until the configuration changes.

Clients such as SAP's Terraform provider read the same lists again and again; building a list of
a thousand system mappings costs tens of milliseconds. An answer is reused only while the store's
change stamp (``EntityStore.change_stamp``: any write by this process or another moves it) is the
one taken before it was built, so a reused answer is never older than the configuration. The
caller's authorization is checked on every request before the cache is consulted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.context import Caller, base_url, services

Handler = Callable[[Request, Caller], Awaitable[Response]]

MAX_ENTRIES = 256
MAX_TOTAL_BYTES = 64 * 1024 * 1024
# Larger answers are built every time rather than crowding out everything else.
MAX_ENTRY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Entry:
    stamp: tuple[int, int]
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


class ReadCache:
    """A bounded LRU of answers by request; cleared entries cost only a rebuild."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[str, ...], stamp: tuple[int, int]) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.stamp != stamp:
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, ...], entry: _Entry) -> None:
        if len(entry.body) > MAX_ENTRY_BYTES:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_TOTAL_BYTES:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)


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
            svc.read_cache.put(key, _Entry(stamp, 200, bytes(response.body), headers))
        return response

    answer.__name__ = handler.__name__
    answer.__doc__ = handler.__doc__
    return answer

"""Answers of heavy configuration lists, kept until the configuration changes.

Clients such as SAP's Terraform provider read the same lists again and again; building a list of
a thousand system mappings costs tens of milliseconds. An endpoint marked ``cached`` has its 200
answer kept by request (URL and ``Accept``), and reused only while the store's change stamp
(``openscc.store.stamp``: any commit, by this process or another, moves it) is the one taken
before it was built, so a reused answer is never older than the configuration. The router checks
the caller's authorization on every request before it consults the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

MAX_ENTRIES = 256
MAX_TOTAL_BYTES = 64 * 1024 * 1024
# Larger answers are built every time rather than crowding out everything else.
MAX_ENTRY_BYTES = 8 * 1024 * 1024

_Key = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class _Answer:
    stamp: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


class ReadCache:
    """A bounded LRU of answers by request; cleared entries cost only a rebuild."""

    def __init__(self) -> None:
        self._entries: OrderedDict[_Key, _Answer] = OrderedDict()
        self._bytes = 0

    def hit(self, request: Request, stamp: int) -> Response | None:
        """The kept answer to this request, if built at ``stamp``."""
        key = _key(request)
        entry = self._entries.get(key)
        if entry is None or entry.stamp != stamp:
            return None
        self._entries.move_to_end(key)
        return Response(entry.body, status_code=200, headers=dict(entry.headers))

    def keep(self, request: Request, stamp: int, response: Response) -> None:
        """Keep a 200 answer built from the store as of ``stamp`` (taken before it was built)."""
        if response.status_code != 200 or response.background is not None:
            return
        body = bytes(response.body)
        if len(body) > MAX_ENTRY_BYTES:
            return
        headers = tuple((n, v) for n, v in response.headers.items() if n != "content-length")
        key = _key(request)
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = _Answer(stamp, body, headers)
        self._bytes += len(body)
        while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_TOTAL_BYTES:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)


def _key(request: Request) -> _Key:
    url = request.url
    return (f"{url.scheme}://{url.netloc}", url.path, url.query, request.headers.get("accept", ""))

"""A bounded store of built answers, keyed by request and valid for one store change stamp
(used by ``openscc.api.read_cache``)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 256
MAX_TOTAL_BYTES = 64 * 1024 * 1024
# Larger answers are built every time rather than crowding out everything else.
MAX_ENTRY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    stamp: tuple[int, int]
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


class ReadCache:
    """A bounded LRU of answers by request; cleared entries cost only a rebuild."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, ...], CachedAnswer] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[str, ...], stamp: tuple[int, int]) -> CachedAnswer | None:
        entry = self._entries.get(key)
        if entry is None or entry.stamp != stamp:
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, ...], entry: CachedAnswer) -> None:
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

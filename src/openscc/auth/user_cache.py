"""Users as last read from the store, for the checks every request makes."""

from __future__ import annotations

from openscc.auth.users import User, UserDirectory
from openscc.store.entities import EntityStore

Known = tuple[User, str]  # a user and their stored password hash (never leaves the server)


class UserCache:
    """Entries hold only while the store's change stamp stays the same: any write by this process
    or any other (``openscc users`` run beside the server) empties the cache, so a removed user,
    a changed role or a new password hash is seen by the very next request, as without it.
    """

    __slots__ = ("_entries", "_stamp", "_store", "_users")
    _MAX_ENTRIES = 1024

    def __init__(self, store: EntityStore, users: UserDirectory) -> None:
        self._store = store
        self._users = users
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, Known | None] = {}

    def find_with_hash(self, name: str) -> Known | None:
        stamp = self._store.change_stamp()
        if stamp is None:  # a transaction is open: read through
            self._stamp = None
            self._entries.clear()
            return self._users.find_with_hash(name)
        if stamp != self._stamp or len(self._entries) >= self._MAX_ENTRIES:
            self._entries.clear()
            self._stamp = stamp
        if name not in self._entries:
            self._entries[name] = self._users.find_with_hash(name)
        return self._entries[name]

    def find(self, name: str) -> User | None:
        known = self.find_with_hash(name)
        return None if known is None else known[0]

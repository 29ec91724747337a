"""What every request's checks read from the store, kept while the store is unchanged.

The guard reads the caller's user record (with its password hash, for basic auth), the LDAP
configuration and the instance's HA role on every request. Entries hold only while the store's change stamp stays the
same (``openscc.store.stamp``): any commit, by this process or another (``openscc users`` beside
the server), empties the cache, so a removed user, a changed role or a new password hash is seen
by the very next request. A miss is read in the store thread; a hit costs no thread switch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from openscc.auth.ldap.store import LdapConfiguration
from openscc.auth.ldap.store import load as load_ldap
from openscc.auth.sessions import user_stamp
from openscc.auth.users import User, UserDirectory
from openscc.config.audit_settings import subaccount_level_of
from openscc.config.connector_state import ha_role
from openscc.store.entities import EntityStore
from openscc.store.stamp import ChangeStamp
from openscc.store.thread import StoreThread

T = TypeVar("T")
_HA_ROLE = ("haRole", "")
_LDAP = ("ldap", "")
_MAX_ENTRIES = 1024


@dataclass(frozen=True, slots=True)
class Account:
    """A user with their stored password hash (it never leaves the server) and their stamp: a
    value that changes whenever their role or password does (a session keeps the one it began
    with, and ends when it differs)."""

    user: User
    password_hash: str
    stamp: str


def _account(users: UserDirectory, name: str) -> Account | None:
    known = users.find_with_hash(name)
    if known is None:
        return None
    user, password_hash = known
    return Account(user, password_hash, user_stamp(user.role, password_hash))


class Lookups:
    def __init__(
        self, store: EntityStore, users: UserDirectory, stamp: ChangeStamp, thread: StoreThread
    ) -> None:
        self._store = store
        self._users = users
        self._stamp = stamp
        self._thread = thread
        self._seen_stamp: int | None = None
        self._entries: dict[tuple[str, str], object] = {}

    async def user(self, name: str) -> Account | None:
        """The user called ``name``, or None."""
        return await self._get(("user", name), _account, self._users, name)

    async def ha_role(self) -> str | None:
        """The instance's HA role ("master", "shadow"), or None while it has none."""
        return await self._get(_HA_ROLE, ha_role, self._store)

    async def subaccount_audit_level(self, region_host: str, subaccount: str) -> str:
        """The audit level of the subaccount a request path names."""
        key = ("auditLevel", f"{region_host}/{subaccount}")
        return await self._get(key, subaccount_level_of, self._store, region_host, subaccount)

    async def ldap(self) -> LdapConfiguration:
        """The LDAP configuration (servers with their connection passwords, and whether logons
        go to the directory)."""
        return await self._get(_LDAP, load_ldap, self._store)

    async def _get(self, key: tuple[str, str], read: Callable[..., T], *arguments: object) -> T:
        stamp = self._stamp.current()  # taken before reading: an entry is never newer than it
        if stamp != self._seen_stamp or len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
            self._seen_stamp = stamp
        if key in self._entries:
            return self._entries[key]  # type: ignore[return-value]
        value = await self._thread.run(read, *arguments)
        if self._seen_stamp == stamp:
            self._entries[key] = value
        return value

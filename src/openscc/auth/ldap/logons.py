"""Logons of directory users: the password checked by the directory, the role read from groups.

What applies to local logons applies here too: the lockout is asked first and a check is
reserved with it; a recently verified credential is taken from the credential cache (keyed by the
servers' configuration instead of a password hash); identical concurrent logons share one check;
and the directory is asked in a bounded number of worker threads (``HashSlots``), never on the
event loop or in the store thread, each call bounded by a deadline.

Outcomes: the first server that authenticates the user decides their roles; a user whom every
server that answered refused is a failed logon (401, counted by the lockout); a user in no role
group is refused with 403 (their password was right, so it is not counted); when no server can
be asked at all, the logon is refused with 401 saying the directory cannot be reached (not
counted: the user did nothing wrong), and nothing else grants access instead.

A session remembers the user's stamp, a value of their roles and of the server configuration
that found them. The roles are read again, with the connection user, once the last reading is
older than ``recheck_seconds``: changed roles change the stamp and end the session (the user
logs on again and gets the new roles), and so do a removed entry, no role left, a directory that
cannot be asked, or a changed server configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from openscc.audit import AuditLog
from openscc.auth.credential_cache import CredentialCache
from openscc.auth.ldap import directory
from openscc.auth.ldap.connection import Unusable
from openscc.auth.ldap.servers import LdapServer
from openscc.auth.ldap.store import LdapConfiguration
from openscc.auth.lockout import Lockout
from openscc.auth.password_checks import HashSlots, SharedChecks
from openscc.auth.roles import ROLE_NAMES
from openscc.auth.users import User
from openscc.errors import Forbidden, NotAuthenticated

logger = logging.getLogger("openscc.auth")

DIRECTORY_DOWN = (
    "the user directory (LDAP) cannot be reached, so no logon can be checked; try again later"
)
_MAX_ACCOUNTS = 10_000


def directory_identity(name: str) -> str:
    """The directory's identity of a logon name: LDAP's naming attributes (uid, cn, mail,
    sAMAccountName) match case-insensitively and without leading, trailing or repeated spaces
    (caseIgnoreMatch with RFC 4518's preparation), so ``alice``, ``Alice`` and `` alice `` are
    one user, with one lockout, one set of sessions and one name in the audit log."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Logon:
    user: User
    stamp: str  # see the module docstring
    checked: bool  # True: the directory was asked (not the credential cache)


@dataclass(frozen=True, slots=True)
class _Account:
    user: User
    stamp: str
    server_id: str
    server_fingerprint: str
    dn: str
    checked_at: float


class DirectoryLogons:
    def __init__(
        self,
        *,
        lockout: Lockout,
        credentials: CredentialCache,
        slots: HashSlots,
        audit: AuditLog,
        timeout_seconds: float,
        recheck_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lockout = lockout
        self.credentials = credentials
        self.slots = slots
        self.timeout_seconds = timeout_seconds
        self._audit = audit
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._accounts: dict[str, _Account] = {}
        self._shared: SharedChecks[Logon | None] = SharedChecks()
        self._rechecks: SharedChecks[_Account | None] = SharedChecks()

    def fingerprint(self, server: LdapServer) -> str:
        """A value of the server's whole configuration, its password included (kept in memory
        only, under a per-process key)."""
        text = json.dumps([server.id, server.body(), server.password], sort_keys=True)
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    async def verify(
        self, configuration: LdapConfiguration, name: str, password: str
    ) -> Logon | None:
        """The user if the directory accepts the password and grants a role; None for refused
        credentials. Raises NotAuthenticated when the directory cannot be asked, Forbidden for a
        user without a role, ServerBusy when no worker frees up in time. ``name`` is the
        directory's identity (``directory_identity``)."""
        cache_stamp = "ldap\0" + ",".join(self.fingerprint(s) for s in configuration.servers)
        account = self._accounts.get(name)
        if (
            account is not None
            and self._is_current(configuration, account)
            and self._clock() - account.checked_at < self._recheck_seconds
            and self.credentials.lookup(name, password, cache_stamp)
        ):
            return Logon(account.user, account.stamp, checked=False)
        return await self._shared.run(
            name, password, lambda: self._check(configuration, name, password, cache_stamp)
        )

    async def _check(
        self, configuration: LdapConfiguration, name: str, password: str, cache_stamp: str
    ) -> Logon | None:
        attempt = self.lockout.begin(name)
        if attempt is None:
            self._audit.record("login.refused_locked", actor=name)
            return None
        try:
            outcome = await self.slots.run(
                partial(
                    directory.authenticate,
                    configuration.servers,
                    name,
                    password,
                    timeout_seconds=self.timeout_seconds,
                )
            )
        except BaseException:
            attempt.abandon()
            raise
        for reason in outcome.unusable:
            logger.warning("LDAP logon: %s", reason)
        found = outcome.found
        if found is None:
            if not outcome.refused:
                attempt.abandon()
                self._audit.record("login.directory_unreachable", actor=name)
                raise NotAuthenticated(DIRECTORY_DOWN)
            if attempt.failed():
                logger.warning("a user was locked out after repeated failed logons")
                self._audit.record("login.lockout", actor=name, store="ldap")
            else:
                self._audit.record("login.failure", actor=name, store="ldap")
            return None
        attempt.succeeded()
        server = configuration.find(found.server_id)
        assert server is not None
        roles = server.roles_of(found.groups)
        if not roles:
            self._audit.record("login.refused_no_role", actor=name)
            raise Forbidden(
                f"user {name} has none of the Cloud Connector's roles; ask the directory's "
                "administrator for one of the groups of the LDAP configuration"
            )
        account = self._remember(name, server, found.dn, roles)
        self.credentials.remember(name, password, cache_stamp)
        return Logon(account.user, account.stamp, checked=True)

    async def current(self, configuration: LdapConfiguration, name: str) -> tuple[User, str] | None:
        """The user of a session and their stamp now; their roles are read again once the last
        reading is ``recheck_seconds`` old. None ends the session."""
        account = self._accounts.get(name)
        if account is None:
            return None
        if not self._is_current(configuration, account):
            self._accounts.pop(name, None)
            return None
        if self._clock() - account.checked_at >= self._recheck_seconds:
            server = configuration.find(account.server_id)
            assert server is not None
            stale = account
            checked = await self._rechecks.run(name, "", lambda: self._recheck(server, stale))
            if checked is None:
                return None
            account = checked
        return account.user, account.stamp

    async def _recheck(self, server: LdapServer, account: _Account) -> _Account | None:
        name = account.user.name
        if server.rules.role_search_as_user:  # only the user's own password could read them
            self._accounts.pop(name, None)
            return None
        try:
            groups = await self.slots.run(
                partial(
                    directory.reread_groups,
                    server,
                    account.dn,
                    name,
                    timeout_seconds=self.timeout_seconds,
                )
            )
        except Unusable as error:
            logger.warning("LDAP role check of a session: %s", error)
            groups = None
        roles = server.roles_of(groups) if groups is not None else frozenset()
        if not roles:
            self._accounts.pop(name, None)
            self._audit.record("session.ended", actor=name, reason="directory role check failed")
            return None
        return self._remember(name, server, account.dn, roles)

    def _is_current(self, configuration: LdapConfiguration, account: _Account) -> bool:
        server = configuration.find(account.server_id)
        return server is not None and self.fingerprint(server) == account.server_fingerprint

    def _remember(self, name: str, server: LdapServer, dn: str, roles: frozenset[str]) -> _Account:
        fingerprint = self.fingerprint(server)
        ordered = [role for role in ROLE_NAMES if role in roles]
        stamp = hashlib.sha256(f"ldap\0{fingerprint}\0{','.join(ordered)}".encode()).hexdigest()[
            :32
        ]
        user = User(name=name, role=ordered[0], initial_password=False, directory_roles=roles)
        now = self._clock()
        if len(self._accounts) >= _MAX_ACCOUNTS and name not in self._accounts:
            self._accounts = {
                key: kept
                for key, kept in self._accounts.items()
                if now - kept.checked_at < self._recheck_seconds
            }
            if len(self._accounts) >= _MAX_ACCOUNTS:
                self._accounts.clear()  # their sessions end; their users log on again
        account = _Account(user, stamp, server.id, fingerprint, dn, now)
        self._accounts[name] = account
        return account

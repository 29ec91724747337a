"""Checking a user name and password: lockout, caches, bounded hash checks and their audit lines.

While LDAP authentication is active, logons go to the directory instead
(``openscc.auth.ldap.logons``, with the same lockout and credential cache); otherwise:

The order matters:

1. the lockout is asked first: a locked user is refused, the right password too, at no cost;
2. a recently verified credential is accepted from the credential cache;
3. otherwise a check is reserved with the lockout (so parallel requests cannot run more checks
   than the failures still allowed) and then run in one of the bounded hash slots, shared with
   concurrent requests that carry the same credentials.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from openscc.audit import AuditLog
from openscc.auth.credential_cache import CredentialCache
from openscc.auth.ldap.logons import DirectoryLogons, directory_identity
from openscc.auth.lockout import Lockout
from openscc.auth.lookups import Account, Lookups
from openscc.auth.password_checks import HashSlots, SharedChecks
from openscc.auth.passwords import Passwords
from openscc.auth.users import User

logger = logging.getLogger("openscc.auth")


@dataclass(frozen=True, slots=True)
class Verified:
    user: User
    stamp: str  # see sessions.user_stamp
    checked: bool  # True: a hash check ran (not the credential cache)


class Authenticator:
    def __init__(
        self,
        *,
        passwords: Passwords,
        lookups: Lookups,
        lockout: Lockout,
        credentials: CredentialCache,
        slots: HashSlots,
        audit: AuditLog,
        directory: DirectoryLogons,
    ) -> None:
        self.passwords = passwords
        self.lookups = lookups
        self.lockout = lockout
        self.credentials = credentials
        self.hash_slots = slots
        self._shared: SharedChecks[Account | None] = SharedChecks()
        self._audit = audit
        # Logons while LDAP authentication is active (see openscc.auth.ldap.logons).
        self.directory = directory

    async def verify(self, name: str, password: str) -> Verified | None:
        """The user if the password is right and the user is not locked out; None otherwise.
        Raises ServerBusy when no hash slot frees up in time. Audits what it decides."""
        ldap = await self.lookups.ldap()
        if ldap.active:
            # One directory user has one lockout, sessions and audit name, whatever the spelling
            # of the logon name (alice, Alice, " alice").
            name = directory_identity(name)
        if self.lockout.is_locked(name):
            self._audit.record("login.refused_locked", actor=name)
            return None
        if ldap.active:
            # The directory replaces the local users, as in the product.
            logon = await self.directory.verify(ldap, name, password)
            return None if logon is None else Verified(logon.user, logon.stamp, logon.checked)
        known = await self.lookups.user(name)
        if known is not None and self.credentials.lookup(name, password, known.password_hash):
            return Verified(known.user, known.stamp, checked=False)
        checked = await self._shared.run(name, password, lambda: self._check(name, password))
        if checked is None:
            return None
        self.credentials.remember(name, password, checked.password_hash)
        return Verified(checked.user, checked.stamp, checked=True)

    async def account(self, name: str) -> tuple[User, str] | None:
        """A session's user as they are now, and their stamp; None if they can no longer log on
        (removed, or from the other user store than the one now active)."""
        ldap = await self.lookups.ldap()
        if ldap.active:
            return await self.directory.current(ldap, directory_identity(name))
        known = await self.lookups.user(name)
        return None if known is None else (known.user, known.stamp)

    async def check_password(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s, through the lockout and the slots, never the cache
        (a password change must prove the old password each time)."""
        if self.lockout.is_locked(name):
            self._audit.record("login.refused_locked", actor=name)
            return False
        return await self._check(name, password) is not None

    async def _check(self, name: str, password: str) -> Account | None:
        attempt = self.lockout.begin(name)
        if attempt is None:
            self._audit.record("login.refused_locked", actor=name)
            return None
        try:
            known = await self.lookups.user(name)
            # An unknown user costs the same hash check as a wrong password.
            right = await self.hash_slots.run(
                self.passwords.verify, None if known is None else known.password_hash, password
            )
        except BaseException:
            attempt.abandon()
            raise
        if right and known is not None:
            attempt.succeeded()
            return known
        if attempt.failed():
            logger.warning("a user was locked out after repeated failed logons")
            self._audit.record("login.lockout", actor=name)
        else:
            self._audit.record("login.failure", actor=name)
        return None

    def forget(self) -> None:
        """Forget every cached credential (after a password or user change)."""
        self.credentials.clear()

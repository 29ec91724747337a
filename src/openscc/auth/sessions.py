"""Server sessions: a JSESSIONID cookie with its CSRF token, kept in memory.

Sessions live only as long as the server process: a restart (after a restore, for instance) ends
every one of them, as the Cloud Connector does.

Every user has sessions of their own, capped per user, so one user can only ever end their own
sessions by opening more. A basic-auth request without a cookie gets a session (its cookie and
CSRF token, as the product answers), but a *provisional* one: short-lived and in a small bucket of
its own, so clients that never send the cookie back (Terraform, curl) cost a bounded amount of
memory and never push out the user's real sessions. A provisional session becomes a normal one
the first time its cookie comes back.

A session also remembers the user's stamp (see ``user_stamp``): when the user's password or role
changes, by the API, the CLI beside a running server, or a restore, the stamp differs and the
session ends at its next use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

SESSION_COOKIE = "JSESSIONID"
CSRF_HEADER = "X-CSRF-Token"


def tokens_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def user_stamp(role: str, password_hash: str) -> str:
    """A value that changes whenever the user's role or password does."""
    return hashlib.sha256(f"{role}\0{password_hash}".encode()).hexdigest()[:32]


@dataclass(slots=True)
class Session:
    id: str
    user: str
    csrf_token: str
    stamp: str
    expires_at: float
    provisional: bool = False


@dataclass(slots=True)
class _UserSessions:
    established: OrderedDict[str, None] = field(default_factory=OrderedDict)
    provisional: OrderedDict[str, None] = field(default_factory=OrderedDict)


class SessionManager:
    """Issues, finds and ends sessions, per user; least recently used first out of a full bucket."""

    def __init__(
        self,
        *,
        ttl_seconds: int,
        max_per_user: int = 64,
        provisional_ttl_seconds: int = 300,
        max_provisional_per_user: int = 16,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_per_user
        self._provisional_ttl = min(provisional_ttl_seconds, ttl_seconds)
        self._max_provisional = max_provisional_per_user
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._by_user: dict[str, _UserSessions] = {}

    def start(self, user: str, stamp: str, *, provisional: bool = False) -> Session:
        now = self._clock()
        session = Session(
            id=secrets.token_hex(16).upper(),
            user=user,
            csrf_token=secrets.token_hex(16).upper(),
            stamp=stamp,
            expires_at=now + (self._provisional_ttl if provisional else self._ttl),
            provisional=provisional,
        )
        self._sessions[session.id] = session
        buckets = self._by_user.setdefault(user, _UserSessions())
        bucket, cap = (
            (buckets.provisional, self._max_provisional)
            if provisional
            else (buckets.established, self._max)
        )
        bucket[session.id] = None
        self._drop_expired(bucket, now)
        while len(bucket) > cap:
            oldest, _ = bucket.popitem(last=False)
            del self._sessions[oldest]
        return session

    def find(self, session_id: str) -> Session | None:
        """The live session with this id, its lifetime extended (a provisional one becomes a
        normal session); None if unknown or expired."""
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if now >= session.expires_at:
            self.end(session_id)
            return None
        buckets = self._by_user[session.user]
        if session.provisional:
            session.provisional = False
            del buckets.provisional[session_id]
            buckets.established[session_id] = None
            while len(buckets.established) > self._max:
                oldest, _ = buckets.established.popitem(last=False)
                del self._sessions[oldest]
        else:
            buckets.established.move_to_end(session_id)
        session.expires_at = now + self._ttl
        return session

    def end(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        if session is None:
            return
        buckets = self._by_user[session.user]
        buckets.established.pop(session_id, None)
        buckets.provisional.pop(session_id, None)
        if not buckets.established and not buckets.provisional:
            del self._by_user[session.user]

    def end_all_of(self, user: str) -> None:
        buckets = self._by_user.pop(user, None)
        if buckets is None:
            return
        for sid in [*buckets.established, *buckets.provisional]:
            del self._sessions[sid]

    def count_of(self, user: str) -> int:
        buckets = self._by_user.get(user)
        return 0 if buckets is None else len(buckets.established) + len(buckets.provisional)

    def _drop_expired(self, bucket: OrderedDict[str, None], now: float) -> None:
        for sid in [sid for sid in bucket if self._sessions[sid].expires_at <= now]:
            del bucket[sid]
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)

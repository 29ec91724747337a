"""Server sessions: a JSESSIONID cookie with its CSRF token, kept in memory.

Sessions live only as long as the server process: a restart (after a restore, for instance) ends
every one of them, as the Cloud Connector does.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

SESSION_COOKIE = "JSESSIONID"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(slots=True)
class Session:
    id: str
    user: str
    csrf_token: str
    expires_at: float


def tokens_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


class SessionManager:
    """Issues, finds and ends sessions; the oldest are dropped beyond ``max_sessions``."""

    def __init__(
        self, *, ttl_seconds: int, max_sessions: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def start(self, user: str) -> Session:
        session = Session(
            id=secrets.token_hex(16).upper(),
            user=user,
            csrf_token=secrets.token_hex(16).upper(),
            expires_at=self._clock() + self._ttl,
        )
        self._sessions[session.id] = session
        while len(self._sessions) > self._max:
            self._sessions.popitem(last=False)
        return session

    def find(self, session_id: str) -> Session | None:
        """The live session with this id, its lifetime extended; None if unknown or expired."""
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if now >= session.expires_at:
            del self._sessions[session_id]
            return None
        session.expires_at = now + self._ttl
        self._sessions.move_to_end(session_id)
        return session

    def end(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def end_all_of(self, user: str) -> None:
        for sid in [s.id for s in self._sessions.values() if s.user == user]:
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)

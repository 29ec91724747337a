"""What a handler knows about the server and about who is calling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request

from openscc.auth.credential_cache import CredentialCache
from openscc.auth.lockout import Lockout
from openscc.auth.sessions import Session, SessionManager
from openscc.auth.users import User
from openscc.cloud import CloudConnection, OfflineCloud
from openscc.instance import Instance

if TYPE_CHECKING:
    from openscc.api.guard import PasswordChecks, UserCache
    from openscc.api.read_cache import ReadCache


@dataclass(kw_only=True)
class Services:
    """Everything the app holds for its lifetime; built by create_app."""

    instance: Instance
    sessions: SessionManager
    lockout: Lockout
    credentials: CredentialCache
    request_restart: Callable[[], None]
    # Set once a restore is committed: the restart will replace the configuration, so further
    # changes are refused rather than silently lost.
    restore_pending: bool = False
    # The tunnel to SAP BTP: the shipped implementation reaches nothing (see openscc.cloud).
    cloud: CloudConnection = field(default_factory=OfflineCloud)
    read_cache: ReadCache = field(default_factory=lambda: _new_read_cache())
    # The guard's caches, made on first use (see openscc.api.guard).
    user_cache: UserCache | None = None
    password_checks: PasswordChecks | None = None

    def forget_credentials(self, user: str | None = None) -> None:
        """After a password or user change: cached logins and the user's sessions end."""
        self.credentials.clear()
        if user is not None:
            self.sessions.end_all_of(user)


def _new_read_cache() -> ReadCache:
    from openscc.api.read_cache import ReadCache  # the cache module imports this one

    return ReadCache()


@dataclass(frozen=True, kw_only=True, slots=True)
class Caller:
    user: User
    session: Session | None


def services(request: Request) -> Services:
    value: Services = request.app.state.services
    return value


def base_url(request: Request) -> str:
    """The absolute base URL of this server as the client addressed it, for Location and _links."""
    return f"{request.url.scheme}://{request.url.netloc}"

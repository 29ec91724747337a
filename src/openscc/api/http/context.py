"""What a handler knows about the server and about who is calling."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from openscc.alerts.service import AlertService
from openscc.api.http.read_cache import ReadCache
from openscc.auth.authenticator import Authenticator
from openscc.auth.lookups import Lookups
from openscc.auth.sessions import Session, SessionManager
from openscc.auth.users import User
from openscc.background.workers import Workers
from openscc.cloud import CloudConnection, OfflineCloud
from openscc.ha.coordinator import HighAvailability
from openscc.ha.pair import Pair
from openscc.instance import Instance
from openscc.monitoring.metrics import Metrics
from openscc.monitoring.system import SystemFigures
from openscc.schedules.scheduler import Scheduler
from openscc.store.stamp import ChangeStamp
from openscc.store.thread import StoreThread


@dataclass(kw_only=True)
class Services:
    """What the HTTP layer serves with: the runtime's parts the handlers use (the runtime owns
    and stops them; openscc.runtime) and what serving keeps (sessions, logon checks, the
    restore in progress, cached answers). Built by openscc.api.http.app."""

    instance: Instance
    # Every use of the instance's store connection runs in this thread (never on the loop).
    store_thread: StoreThread
    # Blocking work (hashes, keys, backups, restores) runs in these, never on the loop.
    workers: Workers
    stamp: ChangeStamp
    lookups: Lookups
    sessions: SessionManager
    authenticator: Authenticator
    # Raises, keeps and e-mails alerts (openscc.alerts); its certificate check runs in the
    # app's lifespan.
    alerts: AlertService
    # The monitoring API's machine figures and the Prometheus metrics (openscc.monitoring).
    system: SystemFigures
    metrics: Metrics
    # High availability: the shadow's link, the master's watch, role changes (openscc.ha).
    ha: HighAvailability
    # Backups that run themselves: the schedules' timer and runner (openscc.schedules).
    schedules: Scheduler
    # When this app started (epoch ms): the performance monitor's "sinceTime".
    started_ms: int
    request_restart: Callable[[], None]
    # Each backup or restore holds the KDF's memory (64 MiB) for a moment; a few at a time.
    kdf_slots: threading.BoundedSemaphore
    # One restore at a time.
    restore_lock: threading.Lock = field(default_factory=threading.Lock)
    # Set once a restore is committed: the restart will replace the configuration, so further
    # changes are refused rather than silently lost.
    restore_pending: bool = False
    # The tunnel to SAP BTP: the shipped implementation reaches nothing (see openscc.cloud).
    cloud: CloudConnection = field(default_factory=OfflineCloud)
    read_cache: ReadCache = field(default_factory=ReadCache)
    # The names this server answers to (lower case), trusted in a Host header (base_url).
    own_names: frozenset[str] = frozenset()

    def forget_credentials(self, user: str | None = None) -> None:
        """After a password or user change: cached logins and the user's sessions end."""
        self.authenticator.forget()
        if user is not None:
            self.sessions.end_all_of(user)


@dataclass(frozen=True, kw_only=True, slots=True)
class Caller:
    user: User
    session: Session | None
    # A request of the high-availability peer: the pair its token proved (the router checks it
    # once, before the handler).
    peer: Pair | None = None


# The caller of a public endpoint: nobody in particular, with no role.
ANONYMOUS = Caller(user=User(name="", role="", initial_password=False), session=None)


def services(request: Request) -> Services:
    value: Services = request.app.state.services
    return value


def base_url(request: Request) -> str:
    """The absolute base URL of this server, for Location and _links: as the client addressed
    it (its Host header) when that names this server (a name of its UI certificate, its
    configured host, this machine), else the address the connection reached. A Host header is
    never reflected as such: a Location to another host is a phishing link."""
    url = request.url
    if (url.hostname or "").lower() in services(request).own_names:
        return f"{url.scheme}://{url.netloc}"
    server = request.scope.get("server")
    if not server:
        return f"{url.scheme}://{services(request).instance.settings.host}"
    host, port = str(server[0]), server[1]
    shown = f"[{host}]" if ":" in host else host
    default = 443 if url.scheme == "https" else 80
    return f"{url.scheme}://{shown}" + ("" if port in (None, default) else f":{port}")

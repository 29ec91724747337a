"""``create_app(settings)``: the ASGI application, wired from its parts. Nothing happens at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from openscc.alerts.service import AlertService
from openscc.api.catalog import all_endpoints
from openscc.api.context import Services
from openscc.api.login import j_security_check
from openscc.api.middleware import SECURITY_HEADERS, RequestMetrics, SecurityHeaders
from openscc.api.openapi import build_openapi
from openscc.api.responses import error_response, json_response
from openscc.api.router import build_routes
from openscc.auth.authenticator import Authenticator
from openscc.auth.credential_cache import CredentialCache
from openscc.auth.ldap.logons import DirectoryLogons
from openscc.auth.lockout import Lockout
from openscc.auth.password_checks import HashSlots
from openscc.auth.sessions import SessionManager
from openscc.config import certs, log_settings
from openscc.connector_state import CONNECTOR_KEY, UI_CERTIFICATE_KIND
from openscc.errors import (
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    OpensccError,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from openscc.ha.coordinator import HighAvailability
from openscc.instance import Instance, open_instance
from openscc.logsafe import shown
from openscc.lookups import Lookups
from openscc.monitoring import backup_history
from openscc.monitoring.backup_history import BackupHistory
from openscc.monitoring.metrics import Metrics
from openscc.monitoring.system import SystemFigures
from openscc.schedules.drill import run_drill
from openscc.schedules.runner import Runner
from openscc.schedules.runs import RunLog
from openscc.schedules.scheduler import Scheduler
from openscc.settings import Settings
from openscc.store.db import DB_FILE
from openscc.store.stamp import ChangeStamp
from openscc.store.thread import StoreThread
from openscc.web.no_prompt import NoBasicPromptForPage
from openscc.web.routes import web_routes

logger = logging.getLogger("openscc.server")


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: OpensccError
    if exc.status_code == 404:
        error = NotFound(f"no resource at {request.url.path}")
    elif exc.status_code == 405:
        error = MethodNotAllowed(f"method {request.method} is not allowed here")
    elif exc.status_code == 413:
        error = PayloadTooLarge("the request body is too large")
    elif exc.status_code == 415:
        error = UnsupportedMediaType("unsupported content type")
    else:
        error = InvalidRequest(str(exc.detail))
    # Keeps what Starlette says beside the status, such as the Allow header of a 405.
    return error_response(error, headers=dict(exc.headers or {}))


def _known_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpensccError)
    return error_response(exc)


def _client_gone(request: Request, exc: Exception) -> Response:
    # An ordinary event: the client closed the connection before its request was read. Whatever
    # the handler had begun (a multipart upload's temporary files) is closed as it unwinds.
    logger.info("the client went away during %s %s", request.method, shown(request.url.path))
    return Response(status_code=400)


def _unexpected_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server log; the client learns only that it failed.
    logger.error("unexpected error on %s %s", request.method, shown(request.url.path), exc_info=exc)
    # This handler runs outside the middleware stack, so the security headers are added here.
    headers = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
    return error_response(
        OpensccError("an unexpected error occurred; see the server log"), headers=headers
    )


def _drill(archive: Path, password: str) -> tuple[bool, str]:
    report = run_drill(archive, password)
    return report.passed, report.summary()


def _own_names(instance: Instance, settings: Settings) -> frozenset[str]:
    """The names this server answers to: its UI certificate's, its configured host, this
    machine's names and loopback (a Host header naming one of them is this server)."""
    record = instance.store.get(UI_CERTIFICATE_KIND, CONNECTOR_KEY)
    names = {"localhost", "127.0.0.1", "::1", settings.host.lower(), socket.gethostname().lower()}
    if record is not None:
        names |= certs.host_names(certs.load_certificate(str(record.body["certificatePem"])))
    return frozenset(n for n in names if n)


def _take_over_records(instance: Instance, runs: RunLog) -> None:
    """Before serving: the records an older openscc kept in JSON files move into the database,
    and runs that the last stop cut off are marked so."""
    backup_history.import_legacy_file(instance.store, instance.data_dir)
    runs.import_legacy_file(instance.data_dir)
    if cut_off := runs.recover():
        logger.warning("%d scheduled backup run(s) were cut off by the last stop", cut_off)


def create_app(
    settings: Settings,
    *,
    instance: Instance | None = None,
    request_restart: Callable[[], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """Build the app for one instance. ``request_restart`` is how a restore restarts the server;
    ``clock`` (seconds, monotonic) drives session expiry, lockouts and the credential cache."""
    instance = instance or open_instance(settings)
    # The stored log levels apply from the start (and at once when changed; see log_and_trace).
    log_settings.apply_stored_levels(instance.store)
    store_thread = StoreThread()
    stamp = ChangeStamp(instance.data_dir / DB_FILE)
    lookups = Lookups(instance.store, instance.users, stamp, store_thread)
    lockout = Lockout(
        max_failures=settings.login_failures_before_lockout,
        lockout_seconds=settings.lockout_seconds,
        clock=clock,
    )
    credentials = CredentialCache(ttl_seconds=settings.credential_cache_seconds, clock=clock)
    runs = RunLog(instance.store)
    _take_over_records(instance, runs)
    history = BackupHistory(
        backup_history.load(instance.store),
        persist=lambda op, outcome: store_thread.record(
            backup_history.save, instance.store, op, outcome
        ),
    )
    metrics = Metrics(history, instance.data_dir)
    alerts = AlertService(
        instance,
        store_thread,
        smtp_timeout=settings.smtp_timeout_seconds,
        server=f"https://{settings.host}:{settings.port}",
        system=SystemFigures(instance.data_dir),
        mailed=lambda sent: metrics.alert_email(sent=sent),
    )
    instance.audit.observers.append(metrics.observe_audit_event)
    kdf_slots = threading.BoundedSemaphore(settings.backup_kdf_slots)
    services = Services(
        instance=instance,
        store_thread=store_thread,
        stamp=stamp,
        lookups=lookups,
        sessions=SessionManager(
            ttl_seconds=settings.session_ttl_seconds,
            max_per_user=settings.max_sessions_per_user,
            provisional_ttl_seconds=settings.provisional_session_seconds,
            max_provisional_per_user=settings.max_provisional_sessions_per_user,
            clock=clock,
        ),
        authenticator=Authenticator(
            passwords=instance.passwords,
            lookups=lookups,
            lockout=lockout,
            credentials=credentials,
            slots=HashSlots(
                slots=settings.password_check_slots,
                wait_seconds=settings.password_check_wait_seconds,
            ),
            audit=instance.audit,
            directory=DirectoryLogons(
                lockout=lockout,
                credentials=credentials,
                slots=HashSlots(
                    slots=settings.directory_check_slots,
                    wait_seconds=settings.directory_check_wait_seconds,
                ),
                audit=instance.audit,
                timeout_seconds=settings.directory_timeout_seconds,
                recheck_seconds=settings.directory_recheck_seconds,
                clock=clock,
            ),
        ),
        alerts=alerts,
        system=SystemFigures(instance.data_dir),
        metrics=metrics,
        ha=HighAvailability(
            instance, store_thread, audit=instance.audit, alerts=alerts, ui_port=settings.port
        ),
        schedules=Scheduler(
            instance,
            store_thread,
            Runner(
                instance=instance,
                store_thread=store_thread,
                runs=runs,
                metrics=metrics,
                alerts=alerts,
                audit=instance.audit,
                kdf_slots=kdf_slots,
                drill=_drill,
            ),
        ),
        started_ms=int(time.time() * 1000),
        kdf_slots=kdf_slots,
        request_restart=request_restart or (lambda: None),
        own_names=_own_names(instance, settings),
    )
    table = all_endpoints()
    document = build_openapi(table)

    async def openapi(request: Request) -> Response:
        return json_response(document)

    routes = [
        *build_routes(table),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Route("/j_security_check", j_security_check, methods=["POST"]),
        *web_routes(),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = []
        # A drill's throwaway instance serves its restored configuration and nothing more: it
        # must not ship backups, prune targets, join a pair or send e-mails for the original.
        if not settings.drill:
            # The certificates are checked for expiry at start and then periodically.
            tasks.append(
                asyncio.create_task(services.alerts.watch(settings.alert_check_interval_seconds))
            )
            # High availability: the shadow's link to its master, the master's watch of it.
            tasks.append(asyncio.create_task(services.ha.run()))
            # Backup schedules: each runs when its cron expression comes due (on a master).
            tasks.append(asyncio.create_task(services.schedules.run_forever()))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        services.close()

    app = Starlette(
        routes=routes,
        exception_handlers={
            ClientDisconnect: _client_gone,
            HTTPException: _http_error,
            OpensccError: _known_error,
            Exception: _unexpected_error,
        },
        lifespan=lifespan,
    )
    # No redirects built from request headers: /path/ is a 404 like any other unknown path.
    app.router.redirect_slashes = False
    app.state.services = services
    app.state.endpoints = table
    app.add_middleware(NoBasicPromptForPage)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app

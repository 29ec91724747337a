"""``/api/v1/configuration/backup``: creating a backup (POST), as the Cloud Connector does; the
restore (PUT) is in ``configuration_restore``, the partial restore in ``partial_restore``."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from openscc.alerts.model import BACKUP
from openscc.api.http.bodies import read_json_body
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.auth.roles import ADMIN_ONLY
from openscc.backup.create import create_backup
from openscc.backup.password import ArchivePassword
from openscc.config.values import Fields
from openscc.errors import InvalidRequest, OpensccError
from openscc.monitoring import backup_history as history

endpoints = EndpointTable()
BACKUP_PATH = "/api/v1/configuration/backup"
ZIP = "application/zip"
CREATE_FIELDS = Fields(
    ArchivePassword(name="password", required=True, description="seals the backup's secrets")
)

T = TypeVar("T")


def in_kdf_slot(svc: Services, work: Callable[..., T], *args: Any) -> T:
    """Run ``work`` (in a worker thread) once one of the KDF slots is free."""
    with svc.kdf_slots:
        return work(*args)


def _temp_dir(svc: Services) -> Path:
    folder = svc.instance.layout.tmp
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _build_backup(svc: Services, password: str) -> Path:
    """The complete archive in a temporary file of the data directory (removed on any failure)."""
    path: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=_temp_dir(svc), prefix="backup-", suffix=".zip")
        path = Path(name)
        with svc.kdf_slots, os.fdopen(fd, "w+b") as out:
            create_backup(svc.instance, password, out)
        return path
    except BaseException as error:
        if path is not None:
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OpensccError(f"could not write the backup ({error.strerror or error})") from None
        raise


def _server_failure(error: BaseException) -> str | None:
    """Why the server failed, if ``error`` is its failure (5xx: disk full, store unreadable, a
    bug), in openscc's own words; None for bad input (4xx) or a client that went away."""
    if isinstance(error, OpensccError):
        return error.message if error.status >= 500 else None
    if isinstance(error, sqlite3.Error):
        return f"the configuration store failed ({error})"
    if isinstance(error, Exception):
        return f"an unexpected {type(error).__name__}; see the server log"
    return None  # cancelled: the client went away, nothing failed


def count_failure(
    svc: Services, operation: str, kind: str, what: str, error: BaseException
) -> None:
    """Count a failed backup or restore, and raise an alert if the server failed."""
    reason = _server_failure(error)
    if isinstance(error, Exception):
        svc.metrics.backup_failed(operation, server_error=reason is not None)
    if reason is not None:
        svc.alerts.raise_alert(kind, f"{what} failed: {reason}")


@endpoints.loop_route(
    "POST",
    BACKUP_PATH,
    summary="Create a backup: a ZIP whose sensitive data is encrypted with the given password",
    roles=ADMIN_ONLY,
    changes_config=True,  # a shadow instance refuses backups
    request_fields=CREATE_FIELDS,
    response_content_type=ZIP,
    tag="backup",
    more_responses={
        "500": "RUNTIME_FAILURE: the backup could not be written (disk full); no file is left"
    },
)
async def create(request: Request, caller: Caller) -> Response:
    svc = services(request)
    started = time.monotonic()
    try:
        body = await read_json_body(request)
        if not isinstance(body, dict):
            raise InvalidRequest('the request body must be a JSON object {"password": "..."}')
        password = CREATE_FIELDS.read(body)["password"]
        # The archive is complete on disk before the first byte is sent: never a truncated 200.
        path = await svc.workers.run(_build_backup, svc, password)
    except BaseException as error:
        count_failure(
            svc, history.BACKUP, BACKUP, f"A backup requested by {caller.user.name}", error
        )
        raise
    size = path.stat().st_size
    svc.metrics.backup_done(history.BACKUP, size=size, seconds=time.monotonic() - started)
    svc.alerts.resolve_alert(BACKUP, "A backup succeeded again")
    note_change(request, "backup.created", size=size)
    return FileResponse(
        path,
        media_type=ZIP,
        # Dated (UTC), so that a browser's downloads do not overwrite each other.
        filename=time.strftime("openscc-backup-%Y%m%d-%H%M%S.zip", time.gmtime()),
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )

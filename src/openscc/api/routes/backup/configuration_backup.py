"""``/api/v1/configuration/backup``: create (POST) and restore (PUT), as the Cloud Connector does."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import Message

from openscc.alerts.model import BACKUP, RESTORE
from openscc.api.http.bodies import media_type, read_json_body
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import empty_response, json_response
from openscc.api.http.uploads import FilePartsParser
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.auth.roles import ADMIN_ONLY
from openscc.backup import partial, preflight
from openscc.backup.create import create_backup
from openscc.backup.restore import StagedRestore, dry_run, stage_restore
from openscc.backup.safety import write_safety_backup
from openscc.config.values import as_bool
from openscc.errors import Conflict, InvalidRequest, OpensccError, PayloadTooLarge
from openscc.faults import crash_point
from openscc.instance import Instance
from openscc.monitoring import backup_history as history

endpoints = EndpointTable()
BACKUP_PATH = "/api/v1/configuration/backup"
ZIP = "application/zip"
MAX_PASSWORD_CHARS = 4096

T = TypeVar("T")


def _password(value: Any) -> str:
    if value is None:
        raise InvalidRequest("password is required")
    if not isinstance(value, str):
        raise InvalidRequest("password must be a string")
    if not value:
        raise InvalidRequest("password must not be empty")
    if len(value) > MAX_PASSWORD_CHARS:
        raise InvalidRequest(f"password is longer than {MAX_PASSWORD_CHARS} characters")
    return value


def _in_kdf_slot(svc: Services, work: Callable[..., T], *args: Any) -> T:
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


def _here(instance: Instance) -> preflight.Here:
    """This host's names and addresses, and this server's own address (the move preflight)."""
    names = {socket.getfqdn(), socket.gethostname(), instance.settings.host}
    with contextlib.suppress(OSError):
        names |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
    return preflight.Here(
        names=frozenset(n.lower() for n in names if n),
        address=(instance.settings.host, instance.settings.port),
        now=dt.datetime.now(dt.UTC),
        old_after_days=instance.settings.restore_warn_age_days,
    )


def _answers(host: str, port: int) -> bool:
    """Whether an openscc or Cloud Connector answers its health check at host:port. The
    certificate is not checked: nothing is sent but the check, and only its status is read.
    The URL is built from its parts (a host cannot carry a path or a query), and nothing but
    "it answers" is reported: the probe is no window on what else listens there."""
    url = httpx.URL(scheme="https", host=host, port=port, path="/exposed",
                    query=b"action=ping")  # fmt: skip
    try:
        answer = httpx.get(
            url,
            verify=False,  # noqa: S501 - a liveness probe; no credentials, nothing trusted
            timeout=1.5,
            follow_redirects=False,
        )
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


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


def _failed(svc: Services, operation: str, kind: str, what: str, error: BaseException) -> None:
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
    request_schema={
        "type": "object",
        "properties": {"password": {"type": "string", "minLength": 1}},
        "required": ["password"],
    },
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
        password = _password(body.get("password"))
        # The archive is complete on disk before the first byte is sent: never a truncated 200.
        path = await svc.workers.run(_build_backup, svc, password)
    except BaseException as error:
        _failed(svc, history.BACKUP, BACKUP, f"A backup requested by {caller.user.name}", error)
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


class _CappedBody:
    """Counts the request body as it streams in and refuses it past the cap, before parsing."""

    def __init__(self, request: Request, cap: int) -> None:
        self._receive = request.receive
        self._cap = cap
        self._seen = 0

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._seen += len(message.get("body", b""))
            if self._seen > self._cap:
                raise PayloadTooLarge(f"the upload is larger than the limit of {self._cap} bytes")
        return message


async def _read_restore_form(request: Request, cap: int) -> FormData:
    """The restore's multipart form, refused past ``cap`` bytes; the caller closes it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(f"the upload is larger than the limit of {cap} bytes")
    if media_type(request) != "multipart/form-data":
        raise InvalidRequest(
            "a restore must be sent as multipart/form-data with the parts 'backup' (the file) "
            "and 'password'; a raw ZIP body is not accepted"
        )
    capped = Request(request.scope, receive=_CappedBody(request, cap))
    parser = FilePartsParser(
        capped.headers,
        capped.stream(),
        file_parts=frozenset({"backup"}),
        max_files=2,
        max_fields=8,
        max_part_size=64 * 1024,
    )
    try:
        return await parser.parse()
    except MultiPartException as error:
        raise InvalidRequest(f"the multipart body is invalid: {error.message}") from None


async def _restore_parts(form: FormData) -> tuple[UploadFile, str]:
    backup = form.get("backup")
    if backup is None:
        raise InvalidRequest("missing file: the multipart part 'backup' is required")
    if not isinstance(backup, UploadFile):
        raise InvalidRequest("the part 'backup' must be a file upload (curl: -F backup=@file.zip)")
    password = form.get("password")
    if isinstance(password, UploadFile):
        password = (await password.read(MAX_PASSWORD_CHARS * 4 + 1)).decode("utf-8", "replace")
    return backup, _password(password)


async def _check_own_password(svc: Services, caller: Caller, form: FormData) -> None:
    """The web page confirms a restore with the caller's own password (``userPassword``), as
    the product's UI asks; when given, it must be right (a wrong one counts as a failed logon).
    The API's other clients need not send it, as SAP's page says."""
    given = form.get("userPassword")
    if given is None:
        return
    if not isinstance(given, str) or not given:
        raise InvalidRequest("userPassword must be your own password")
    if await svc.authenticator.verify(caller.user.name, given) is None:
        raise InvalidRequest("your own password (userPassword) is not correct")


@endpoints.loop_route(
    "PUT",
    BACKUP_PATH,
    summary="Restore a backup (multipart parts backup and password); 204, then the server restarts. "
    "With dryRun=true: validate and describe what would change, changing nothing",
    roles=ADMIN_ONLY,
    changes_config=True,
    status=204,
    request_content_type="multipart/form-data",
    request_schema={
        "type": "object",
        "properties": {
            "backup": {"type": "string", "format": "binary"},
            "password": {"type": "string"},
            "userPassword": {
                "type": "string",
                "description": "the caller's own password, checked when given (the web page "
                "always sends it)",
            },
        },
        "required": ["backup", "password"],
    },
    query=({"name": "dryRun", "in": "query", "required": False, "schema": {"type": "boolean"}},),
    tag="backup",
    more_responses={
        "200": {
            "description": "dryRun=true: the archive is valid; what a restore would change",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def restore(request: Request, caller: Caller) -> Response:
    svc = services(request)
    is_dry_run = as_bool(request.query_params.get("dryRun", "false"), "dryRun")
    if is_dry_run:
        return await _dry_run(request, svc, caller)
    started = time.monotonic()
    what = f"A restore requested by {caller.user.name}"
    try:
        staged, size = await _stage(request, svc, caller)
    except BaseException as error:
        _failed(svc, history.RESTORE, RESTORE, what, error)
        raise
    svc.metrics.backup_done(history.RESTORE, size=size, seconds=time.monotonic() - started)
    note_change(
        request,
        "backup.restored",
        source_instance=staged.source_instance,
        created_at=staged.created_at,
        safety_backup=staged.safety_backup.name,
        props_ini_restored_aside=staged.props_restored_aside,
    )
    response = empty_response(204)
    response.background = BackgroundTask(svc.request_restart)
    return response


async def _dry_run(request: Request, svc: Services, caller: Caller) -> Response:
    form = await _read_restore_form(request, svc.instance.settings.max_upload_bytes)
    try:
        upload, password = await _restore_parts(form)
        await _check_own_password(svc, caller, form)
        here = await svc.workers.run(_here, svc.instance)
        report = await svc.workers.run(
            _in_kdf_slot, svc, dry_run, svc.instance, upload.file, password, here, _answers
        )
    finally:
        await form.close()
    note_change(request, "backup.restore_previewed")
    return json_response(report)


async def _stage(request: Request, svc: Services, caller: Caller) -> tuple[StagedRestore, int]:
    """Validate, stage and commit the uploaded archive; the staged restore and its size."""
    form = await _read_restore_form(request, svc.instance.settings.max_upload_bytes)
    try:
        upload, password = await _restore_parts(form)
        await _check_own_password(svc, caller, form)
        if not svc.restore_lock.acquire(blocking=False):
            raise Conflict("another restore is in progress")
        try:
            if svc.restore_pending:
                raise Conflict("a restore is already being applied; wait for the restart")
            # Changes are refused from now on: one made while the restore is staged would be
            # acknowledged and then replaced by the restart.
            svc.restore_pending = True
            try:
                staged = await svc.workers.run(
                    _in_kdf_slot, svc, stage_restore, svc.instance, upload.file, password
                )
            except BaseException:
                svc.restore_pending = False
                raise
        finally:
            svc.restore_lock.release()
        return staged, upload.size or 0
    finally:
        await form.close()


PARTIAL_PATH = "/api/openscc/v1/backup/partial"


@endpoints.loop_route(
    "PUT",
    PARTIAL_PATH,
    summary="Restore selected subaccounts from a full backup (multipart: backup, password, "
    "subaccounts as REGION/SUBACCOUNT, repeated or comma-separated); everything else stays. "
    "With dryRun=true: what it would change. No restart (openscc's own)",
    roles=ADMIN_ONLY,
    changes_config=True,
    request_content_type="multipart/form-data",
    request_schema={
        "type": "object",
        "properties": {
            "backup": {"type": "string", "format": "binary"},
            "password": {"type": "string"},
            "subaccounts": {"type": "string"},
            "userPassword": {
                "type": "string",
                "description": "the caller's own password, checked when given",
            },
        },
        "required": ["backup", "password", "subaccounts"],
    },
    query=({"name": "dryRun", "in": "query", "required": False, "schema": {"type": "boolean"}},),
    response_schema={"type": "object"},
    more_responses={"409": "ILLEGAL_STATE: another restore is in progress or awaits its restart"},
    tag="openscc",
)
async def partial_restore(request: Request, caller: Caller) -> Response:
    svc = services(request)
    is_dry_run = as_bool(request.query_params.get("dryRun", "false"), "dryRun")
    form = await _read_restore_form(request, svc.instance.settings.max_upload_bytes)
    try:
        upload, password = await _restore_parts(form)
        await _check_own_password(svc, caller, form)
        named = [v for v in form.getlist("subaccounts") if isinstance(v, str)]
        selected = partial.parse_selection(named)
        planned = await svc.workers.run(
            _in_kdf_slot, svc, partial.plan, svc.instance, upload.file, password, selected
        )
    finally:
        await form.close()
    report = {"dryRun": is_dry_run, **planned.report}
    if is_dry_run:
        note_change(request, "backup.partial_previewed", subaccounts=len(selected))
        return json_response(report)
    # One restore at a time, full or partial; none once a full restore awaits its restart.
    if not svc.restore_lock.acquire(blocking=False):
        raise Conflict("another restore is in progress")
    try:
        if svc.restore_pending:
            raise Conflict("a restore is already being applied; wait for the restart")
        # The configuration as it was, first: a partial restore can be undone like a full one.
        draft = await svc.workers.run(
            _in_kdf_slot, svc, write_safety_backup, svc.instance, password
        )
        crash_point(svc.instance.settings, "partial.safety_backup_written")
        try:
            await svc.store_thread.run(partial.apply, svc.instance.store, planned)
        except BaseException:
            draft.discard()
            raise
    finally:
        svc.restore_lock.release()
    kept = draft.keep(newest=svc.instance.settings.safety_backups_kept)
    note_change(
        request,
        "backup.partial_restored",
        subaccounts=",".join(report["subaccounts"])[:200],
        safety_backup=kept.name,
    )
    return json_response({**report, "safetyBackup": kept.name})

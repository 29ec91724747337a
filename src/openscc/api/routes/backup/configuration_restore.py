"""``PUT /api/v1/configuration/backup``: restoring a backup, as the Cloud Connector does (the
archive staged, then the server restarts into it), or with ``dryRun=true`` only checking it and
describing what would change. The restore's multipart form is read here for the partial restore
too."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import socket
import time
from typing import Any

import httpx
from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from openscc.alerts.model import RESTORE
from openscc.api.http.bodies import media_type
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import empty_response, json_response
from openscc.api.http.uploads import FilePartsParser
from openscc.api.routes.backup.configuration_backup import BACKUP_PATH, count_failure, in_kdf_slot
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.auth.roles import ADMIN_ONLY
from openscc.backup import preflight
from openscc.backup.password import MAX_PASSWORD_CHARS, archive_password
from openscc.backup.restore import StagedRestore, dry_run, stage_restore
from openscc.config.values import as_bool
from openscc.errors import Conflict, InvalidRequest, PayloadTooLarge
from openscc.instance import Instance
from openscc.monitoring import backup_history as history

endpoints = EndpointTable()
DRY_RUN: dict[str, Any] = {
    "name": "dryRun",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean"},
}


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


async def read_restore_form(request: Request, cap: int) -> FormData:
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


async def restore_parts(form: FormData) -> tuple[UploadFile, str]:
    backup = form.get("backup")
    if backup is None:
        raise InvalidRequest("missing file: the multipart part 'backup' is required")
    if not isinstance(backup, UploadFile):
        raise InvalidRequest("the part 'backup' must be a file upload (curl: -F backup=@file.zip)")
    password = form.get("password")
    if isinstance(password, UploadFile):
        password = (await password.read(MAX_PASSWORD_CHARS * 4 + 1)).decode("utf-8", "replace")
    return backup, archive_password(password)


async def check_own_password(svc: Services, caller: Caller, form: FormData) -> None:
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
    query=(DRY_RUN,),
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
        count_failure(svc, history.RESTORE, RESTORE, what, error)
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
    form = await read_restore_form(request, svc.instance.settings.max_upload_bytes)
    try:
        upload, password = await restore_parts(form)
        await check_own_password(svc, caller, form)
        here = await svc.workers.run(_here, svc.instance)
        own = form.get("userPassword")
        # Whether the caller's own password opens the backup's hash of their user (forYou).
        opens = (
            functools.partial(svc.instance.passwords.verify, candidate=own)
            if isinstance(own, str) and own
            else None
        )
        report = await svc.workers.run(
            in_kdf_slot, svc, functools.partial(dry_run, caller=caller.user.name,
                                                password_opens=opens),
            svc.instance, upload.file, password, here, _answers,
        )  # fmt: skip
    finally:
        await form.close()
    note_change(request, "backup.restore_previewed")
    return json_response(report)


async def _stage(request: Request, svc: Services, caller: Caller) -> tuple[StagedRestore, int]:
    """Validate, stage and commit the uploaded archive; the staged restore and its size."""
    form = await read_restore_form(request, svc.instance.settings.max_upload_bytes)
    try:
        upload, password = await restore_parts(form)
        await check_own_password(svc, caller, form)
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
                    in_kdf_slot, svc, stage_restore, svc.instance, upload.file, password
                )
            except BaseException:
                svc.restore_pending = False
                raise
        finally:
            svc.restore_lock.release()
        return staged, upload.size or 0
    finally:
        await form.close()

"""openscc's own: restoring selected subaccounts from a full backup, everything else staying, with
no restart; or with ``dryRun=true`` only describing what it would change."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import json_response
from openscc.api.routes.backup.configuration_backup import in_kdf_slot
from openscc.api.routes.backup.configuration_restore import (
    DRY_RUN,
    check_own_password,
    read_restore_form,
    restore_parts,
)
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.auth.roles import ADMIN_ONLY
from openscc.backup import partial
from openscc.backup.safety import write_safety_backup
from openscc.config.values import as_bool
from openscc.errors import Conflict
from openscc.faults import crash_point

endpoints = EndpointTable()
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
    query=(DRY_RUN,),
    response_schema={"type": "object"},
    more_responses={"409": "ILLEGAL_STATE: another restore is in progress or awaits its restart"},
    tag="openscc",
)
async def partial_restore(request: Request, caller: Caller) -> Response:
    svc = services(request)
    is_dry_run = as_bool(request.query_params.get("dryRun", "false"), "dryRun")
    form = await read_restore_form(request, svc.instance.settings.max_upload_bytes)
    try:
        upload, password = await restore_parts(form)
        await check_own_password(svc, caller, form)
        named = [v for v in form.getlist("subaccounts") if isinstance(v, str)]
        selected = partial.parse_selection(named)
        planned = await svc.workers.run(
            in_kdf_slot, svc, partial.plan, svc.instance, upload.file, password, selected
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
        draft = await svc.workers.run(in_kdf_slot, svc, write_safety_backup, svc.instance, password)
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

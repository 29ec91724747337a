"""openscc's own: the fleet (``/api/openscc/v1/backup/fleet``), every connector the schedules
protect with its last success and the newest archive's age; a schedule's archives of its
connector; and a restore that sends one back to that connector through its documented API.
Administrator only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import json_response
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.api.routes.users.session import EXTENSION
from openscc.auth.roles import ADMIN_ONLY
from openscc.backup.password import ArchivePassword
from openscc.config.values import Fields, Flag, Text
from openscc.errors import Conflict, OpensccError
from openscc.schedules import fleet, send_back
from openscc.schedules.model import Schedule

endpoints = EndpointTable()
FLEET = f"{EXTENSION}/backup/fleet"
_COMMON: dict[str, Any] = {"roles": ADMIN_ONLY, "tag": "openscc"}
RESTORE_FIELDS = Fields(
    Text(name="archive", required=True, max_length=255,
         description="the archive's name, as GET .../fleet/{schedule}/archives lists it"),
    Flag(name="dryRun", default=False,
         description="only what the restore would change: the report of an openscc connector, "
                     "or preview false and why there is none"),
    ArchivePassword(name="password",
                    description="the archive's backup password; absent: the schedule's"),
)  # fmt: skip


@endpoints.loop_route(
    "GET",
    FLEET,
    summary="Every connector the schedules back up (other Cloud Connectors, and this instance): "
    "last success, newest archive's age, size, verification, last error, next run, and a state "
    "(ok, running, late, never, failing) (openscc's own)",
    response_schema={"type": "array", "items": {"type": "object"}},
    **_COMMON,
)
async def fleet_status(request: Request, caller: Caller) -> Response:
    svc = services(request)
    scheduler = svc.schedules

    def read() -> list[dict[str, Any]]:
        _role, schedules = scheduler.read_all()
        runs = scheduler.runner.runs
        return fleet.rows(schedules, runs.runs(), runs.last_runs(), dt.datetime.now(dt.UTC),
                          scheduler.runner.describe)  # fmt: skip

    return json_response(await svc.store_thread.run(read))


@endpoints.loop_route(
    "GET",
    f"{FLEET}/{{name}}/archives",
    summary="The archives a schedule of another connector keeps at its target, newest first: "
    "name, createdAt (openscc's own)",
    response_schema={"type": "array", "items": {"type": "object"}},
    more_responses={
        "404": "NOT_FOUND: no such schedule",
        "409": "ILLEGAL_STATE: the schedule backs up this instance",
    },
    **_COMMON,
)
async def list_archives(request: Request, caller: Caller) -> Response:
    svc = services(request)
    schedule = await svc.store_thread.run(svc.schedules.one, str(request.path_params["name"]))
    return json_response(await svc.workers.run(send_back.archives, schedule))


@endpoints.loop_route(
    "POST",
    f"{FLEET}/{{name}}/restore",
    summary="Send one of a schedule's archives back to its connector (PUT "
    "/api/v1/configuration/backup there, which restarts it); with dryRun, what it would change: "
    "an openscc connector's report (preview true), or why there is none (openscc's own)",
    request_fields=RESTORE_FIELDS,
    response_schema={"type": "object"},
    more_responses={
        "400": "INVALID_REQUEST: the connector refused the archive or its password",
        "404": "NOT_FOUND: no such schedule or archive",
        "409": "ILLEGAL_STATE: the schedule backs up this instance, or a run of it is in progress",
        "502": "RUNTIME_FAILURE: the connector could not be reached or refused the user",
    },
    changes_config=True,
    **_COMMON,
)
async def restore_to_connector(request: Request, caller: Caller) -> Response:
    values = RESTORE_FIELDS.read(await read_json_object(request))
    svc = services(request)
    name = str(request.path_params["name"])
    runs = svc.schedules.runner.runs

    def schedule_not_running() -> Schedule:
        if runs.running(name):  # its retention could delete the archive being sent
            raise Conflict(f"a run of {name} is in progress: send an archive back once it ends")
        return svc.schedules.one(name)

    schedule = await svc.store_thread.run(schedule_not_running)
    order = send_back.SendBack(values["archive"], values["dryRun"], values["password"])
    event = "backup.fleet_restore_previewed" if order.dry_run else "backup.fleet_restored"
    details = {"schedule": name, "connector": schedule.source.url if schedule.source else "",
               "archive": order.name}  # fmt: skip
    try:
        answer = await svc.workers.run(
            send_back.restore, schedule, order, spool=svc.instance.layout.tmp,
            timeout=svc.instance.settings.source_timeout_seconds,
            between_chunks=svc.workers.stopping.check,
        )  # fmt: skip
    except OpensccError as error:
        if not order.dry_run:  # the connector may have taken it before the failure: on record
            svc.instance.audit.record("backup.fleet_restore_failed", actor=caller.user.name,
                                      reason=error.message, **details)  # fmt: skip
        raise
    note_change(request, event, **details)
    return json_response(answer)

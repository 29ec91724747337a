"""openscc's own: backup schedules (``/api/openscc/v1/backup/schedules``) and their runs,
Administrator only. The password and the target's credentials are stored sealed and never
answered back."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from openscc import kinds
from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.common import base_of
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.api.routes.users.session import EXTENSION
from openscc.auth.roles import ADMIN_ONLY
from openscc.errors import Conflict, NotFound
from openscc.schedules import model
from openscc.schedules.runs import now_iso

endpoints = EndpointTable()
SCHEDULES = f"{EXTENSION}/backup/schedules"
RUNS = f"{EXTENSION}/backup/runs"
_COMMON: dict[str, Any] = {"roles": ADMIN_ONLY, "tag": "openscc"}


def _name(request: Request) -> str:
    return str(request.path_params["name"])


@endpoints.loop_route(
    "GET",
    SCHEDULES,
    summary="The backup schedules, without their passwords and credentials (openscc's own)",
    response_schema={"type": "array", "items": {"type": "object"}},
    **_COMMON,
)
async def list_schedules(request: Request, caller: Caller) -> Response:
    svc = services(request)
    _role, schedules = await svc.store_thread.run(svc.schedules.read_all)
    return json_response([s.view() for s in schedules])


@endpoints.loop_route(
    "POST",
    SCHEDULES,
    summary="Add a backup schedule: name, cron (5 fields, UTC), target (directory, s3 or azure), "
    "password, keep (last, daily, weekly, monthly), drill (openscc's own)",
    status=201,
    request_fields=model.NEW_SCHEDULE_FIELDS,
    response_schema={"type": "object"},
    more_responses={"409": "CONFLICT: a schedule of that name exists"},
    changes_config=True,
    **_COMMON,
)
async def add_schedule(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    schedule = model.parse(data, created_at=now_iso(dt.datetime.now(dt.UTC)), current=None)
    name = schedule.name
    svc = services(request)
    store = svc.instance.store

    def add() -> None:
        with store.transaction():
            if store.exists(kinds.BACKUP_SCHEDULE, name):
                raise Conflict(f"a backup schedule named {name} exists")
            store.put(schedule.record())

    await svc.store_thread.run(add)
    svc.schedules.changed()
    note_change(request, "backup.schedule_added", schedule=name, cron=schedule.cron)
    return created(f"{base_of(request)}{SCHEDULES}/{quote(name, safe='')}", schedule.view())


@endpoints.loop_route(
    "GET",
    f"{SCHEDULES}/{{name}}",
    summary="One backup schedule (openscc's own)",
    response_schema={"type": "object"},
    more_responses={"404": "NOT_FOUND: no such schedule"},
    **_COMMON,
)
async def get_schedule(request: Request, caller: Caller) -> Response:
    svc = services(request)
    schedule = await svc.store_thread.run(svc.schedules.one, _name(request))
    return json_response(schedule.view())


@endpoints.loop_route(
    "PUT",
    f"{SCHEDULES}/{{name}}",
    summary="Change a backup schedule; the password and credentials may be left out to keep the "
    "stored ones (openscc's own)",
    request_fields=model.SCHEDULE_FIELDS,
    response_schema={"type": "object"},
    more_responses={"404": "NOT_FOUND: no such schedule"},
    changes_config=True,
    **_COMMON,
)
async def put_schedule(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    name = _name(request)
    svc = services(request)
    store = svc.instance.store

    def change() -> model.Schedule:
        with store.transaction():
            current = svc.schedules.one(name)
            schedule = model.parse(data, created_at=current.created_at, current=current)
            store.put(schedule.record())
            return schedule

    schedule = await svc.store_thread.run(change)
    svc.schedules.changed()
    note_change(request, "backup.schedule_changed", schedule=name, cron=schedule.cron)
    return json_response(schedule.view())


@endpoints.loop_route(
    "DELETE",
    f"{SCHEDULES}/{{name}}",
    summary="Remove a backup schedule; its archives at the target stay (openscc's own)",
    status=204,
    more_responses={"404": "NOT_FOUND: no such schedule"},
    changes_config=True,
    **_COMMON,
)
async def delete_schedule(request: Request, caller: Caller) -> Response:
    name = _name(request)
    svc = services(request)
    store = svc.instance.store

    def remove() -> None:
        with store.transaction():
            if not store.delete(kinds.BACKUP_SCHEDULE, name):
                raise NotFound(f"no backup schedule named {name}")
            svc.schedules.runner.runs.forget(name)

    await svc.store_thread.run(remove)
    svc.schedules.changed()
    note_change(request, "backup.schedule_removed", schedule=name)
    return empty_response()


@endpoints.loop_route(
    "POST",
    f"{SCHEDULES}/{{name}}/run",
    summary="Run a schedule now: 202 with the run's id; GET .../backup/runs follows it "
    "(openscc's own)",
    status=202,
    response_schema={"type": "object", "properties": {"id": {"type": "string"}}},
    more_responses={
        "404": "NOT_FOUND: no such schedule",
        "409": "ILLEGAL_STATE: a run of that schedule is in progress",
    },
    changes_config=True,
    **_COMMON,
)
async def run_schedule(request: Request, caller: Caller) -> Response:
    svc = services(request)
    schedule = await svc.store_thread.run(svc.schedules.one, _name(request))
    run = await svc.schedules.start_now(schedule)
    note_change(request, "backup.schedule_run", schedule=schedule.name, run=run.id)
    return json_response({"id": run.id, "schedule": schedule.name}, 202)


@endpoints.loop_route(
    "GET",
    RUNS,
    summary="The recent runs of the schedules, newest first: id, schedule, status (running, "
    "succeeded, failed), startedAt, finishedAt, target, object, size, sha256, error "
    "(openscc's own)",
    response_schema={"type": "array", "items": {"type": "object"}},
    **_COMMON,
)
async def list_runs(request: Request, caller: Caller) -> Response:
    svc = services(request)
    return json_response(await svc.store_thread.run(svc.schedules.runner.runs.runs))

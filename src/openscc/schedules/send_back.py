"""Sending a schedule's archive back to the connector it came from, through the seed's documented
API: ``PUT /api/v1/configuration/backup`` with the multipart parts ``backup`` and ``password``,
basic auth (the product takes a basic-auth change without a CSRF token), answered ``204`` before
the connector restarts. For an openscc archive sent to a server that declares the dry run,
``dryRun=true`` first shows what it would change; a Cloud Connector, which would ignore the
parameter and restore for real, is never sent it.

Blocking: a worker calls these."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from openscc.backup.archive import inspect_archive
from openscc.client.wire import OPENAPI_PATH, declares_dry_run
from openscc.errors import (
    Conflict,
    InvalidRequest,
    NotABackup,
    NotFound,
    OpensccError,
    SourceFailed,
)
from openscc.logsafe import shown
from openscc.schedules.model import Schedule
from openscc.schedules.remote import (
    BACKUP_PATH,
    capped_body,
    connect_failure,
    message_of,
    source_context,
)
from openscc.schedules.runs import now_iso
from openscc.schedules.shipping import Target
from openscc.schedules.sources import Source
from openscc.schedules.targets import made_by, target_for


def archives(schedule: Schedule) -> list[dict[str, str]]:
    """This schedule's archives of its source at the target, newest first."""
    return _archives(schedule, target_for(schedule.target, schedule.credentials))


def _archives(schedule: Schedule, target: Target) -> list[dict[str, str]]:
    if schedule.source is None:
        raise Conflict(
            f"the schedule {schedule.name} backs up this instance: restore its archives on the "
            "Restore page or with openscc backup restore"
        )
    origin = schedule.source.origin
    found = [(when, name) for name in target.names()
             if (when := made_by(schedule.name, origin, name)) is not None]  # fmt: skip
    return [
        {"name": name, "createdAt": now_iso(when)} for when, name in sorted(found, reverse=True)
    ]


@dataclass(frozen=True, slots=True)
class SendBack:
    """One request to send an archive back: which, with which password (the schedule's unless
    the archive was made with another), and whether only to preview it."""

    name: str
    dry_run: bool
    password: str | None = field(default=None, repr=False)


def restore(
    schedule: Schedule,
    request: SendBack,
    *,
    spool: Path,
    timeout: float,
    between_chunks: Callable[[], None],
) -> dict[str, Any]:
    """Send the archive back to the schedule's source. A dry run answers the source's report
    (``preview`` true), or why there is none (``preview`` false: a Cloud Connector's own
    archive, or a connector that declares no dry run); a restore answers once the source took
    the archive."""
    target = target_for(schedule.target, schedule.credentials)
    if request.name not in {entry["name"] for entry in _archives(schedule, target)}:
        raise NotFound(f"the schedule {schedule.name} has no archive named {shown(request.name)}")
    source = schedule.source
    assert source is not None  # _archives() refused a schedule of this instance
    spool.mkdir(mode=0o700, exist_ok=True)
    answer: dict[str, Any] = {"connector": source.url, "archive": request.name}
    with tempfile.NamedTemporaryFile(dir=spool, prefix="send-back-", suffix=".zip") as copy:
        for chunk in target.read(request.name):
            copy.write(chunk)
            between_chunks()
        copy.flush()
        path = Path(copy.name)
        if request.dry_run and not _is_openscc(path):
            return answer | {"preview": False, "why": (
                f"{request.name} is a Cloud Connector's own archive: the product offers no "
                "preview of a restore, only the restore itself")}  # fmt: skip
        with httpx.Client(verify=source_context(source),
                          timeout=httpx.Timeout(timeout, connect=10.0)) as client:  # fmt: skip
            if request.dry_run and not _offers_dry_run(client, source):
                return answer | {"preview": False, "why": (
                    f"the connector at {shown(source.url)} declares no restore dry run; "
                    "nothing was sent")}  # fmt: skip
            report = _put(client, source, path, request.password or schedule.password,
                          dry_run=request.dry_run)  # fmt: skip
    if request.dry_run:
        return answer | {"preview": True, "dryRun": report}
    return answer | {"restoredAt": now_iso(dt.datetime.now(dt.UTC)), "restarting": True}


def _is_openscc(path: Path) -> bool:
    try:
        with path.open("rb") as src:
            inspect_archive(src)
    except NotABackup:
        return False
    except OpensccError:
        return True  # openscc's, though damaged: the source's own check says how
    return True


def _offers_dry_run(client: httpx.Client, source: Source) -> bool:
    """Whether the source declares ``dryRun`` on the restore (openscc does; SAP's product does
    not, and would restore for real). Only a document read in full says "no"; a connector that
    cannot be asked is a failure, never taken for one without the dry run."""
    where = shown(source.url)
    try:
        with client.stream("GET", f"{source.url}{OPENAPI_PATH}",
                           auth=(source.user, source.password)) as response:  # fmt: skip
            body = capped_body(response, where)
    except httpx.TimeoutException:
        raise SourceFailed(f"the connector at {where} did not answer in time") from None
    except httpx.HTTPError as error:
        raise SourceFailed(connect_failure(source, error)) from None
    if response.status_code == 404:
        return False  # no API document: not openscc
    if response.status_code != 200:
        raise SourceFailed(
            f"the connector at {where} answered {response.status_code} to {OPENAPI_PATH}"
        )
    return declares_dry_run(body)


def _put(client: httpx.Client, source: Source, path: Path, password: str, *, dry_run: bool) -> Any:
    where = shown(source.url)
    try:
        with path.open("rb") as archive:
            request = client.build_request(
                "PUT",
                f"{source.url}{BACKUP_PATH}",
                params={"dryRun": "true"} if dry_run else None,
                data={"password": password},
                files={"backup": (path.name, archive, "application/zip")},
            )
            response = client.send(request, auth=(source.user, source.password), stream=True)
        try:
            body = capped_body(response, where)
        finally:
            response.close()
    except httpx.TimeoutException:
        raise SourceFailed(f"the connector at {where} did not answer in time") from None
    except httpx.HTTPError as error:
        raise SourceFailed(connect_failure(source, error)) from None
    if response.status_code in (401, 403):
        raise SourceFailed(
            f"the connector at {where} refused the user {shown(source.user)} "
            f"({response.status_code})"
        )
    if response.status_code == 400:
        raise InvalidRequest(f"the connector at {where} refused the archive: {message_of(body)}")
    if not response.is_success:
        raise SourceFailed(
            f"the connector at {where} answered {response.status_code}: {message_of(body)}"
        )
    if not dry_run:
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise SourceFailed(f"the connector at {where} did not answer the dry run in JSON") from None

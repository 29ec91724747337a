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
from pathlib import Path
from typing import Any

import httpx

from openscc.backup.archive import inspect_archive
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
from openscc.schedules.targets import made_by

OPENAPI_PATH = "/api/openapi.json"


def archives(schedule: Schedule, target: Target) -> list[dict[str, str]]:
    """This schedule's archives of its source at the target, newest first."""
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


def restore(
    schedule: Schedule,
    target: Target,
    name: str,
    *,
    dry_run: bool,
    spool: Path,
    timeout: float,
    between_chunks: Callable[[], None],
) -> dict[str, Any]:
    """Send the archive ``name`` back to the schedule's source: the source's dry-run report, or
    what was restored once the source answered 2xx."""
    listed = {entry["name"] for entry in archives(schedule, target)}
    if name not in listed:
        raise NotFound(f"the schedule {schedule.name} has no archive named {shown(name)}")
    source = schedule.source
    assert source is not None  # archives() refused a schedule of this instance
    spool.mkdir(mode=0o700, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=spool, prefix="send-back-", suffix=".zip") as copy:
        for chunk in target.read(name):
            copy.write(chunk)
            between_chunks()
        copy.flush()
        path = Path(copy.name)
        is_openscc = _is_openscc(path)
        if dry_run and not is_openscc:
            raise Conflict(
                f"{name} is a Cloud Connector's own archive: the product offers no preview of a "
                "restore, only the restore itself"
            )
        with httpx.Client(verify=source_context(source),
                          timeout=httpx.Timeout(timeout, connect=10.0)) as client:  # fmt: skip
            if dry_run and not _offers_dry_run(client, source):
                raise Conflict(
                    f"the connector at {shown(source.url)} does not offer a restore dry run; "
                    "nothing was sent"
                )
            answer = _put(client, source, path, schedule.password, dry_run=dry_run)
    if dry_run:
        return {"connector": source.url, "archive": name, "dryRun": answer}
    return {
        "connector": source.url,
        "archive": name,
        "restoredAt": now_iso(dt.datetime.now(dt.UTC)),
        "restarting": True,
    }


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
    not, and would restore for real)."""
    try:
        response = client.get(f"{source.url}{OPENAPI_PATH}", auth=(source.user, source.password))
        parameters = response.json()["paths"][BACKUP_PATH]["put"]["parameters"]
        return any(p.get("name") == "dryRun" for p in parameters)
    except (httpx.HTTPError, ValueError, LookupError, TypeError, AttributeError):
        return False


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

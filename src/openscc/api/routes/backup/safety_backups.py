"""openscc's own: the safety backups kept in the data directory, listed and downloaded by an
Administrator (the web page's list; ``openscc backup history`` on the host)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import json_response
from openscc.api.routes.users.session import EXTENSION
from openscc.auth.roles import ADMIN_ONLY
from openscc.backup.safety import SafetyBackup, find_safety_backup, list_safety_backups
from openscc.errors import NotFound

endpoints = EndpointTable()
SAFETY = f"{EXTENSION}/backup/safety"


def _view(backup: SafetyBackup) -> dict[str, object]:
    manifest = backup.manifest
    return {
        "name": backup.path.name,
        "takenBefore": backup.taken_before,
        "size": backup.size,
        "createdAt": None if manifest is None else manifest.created_at,
        "productVersion": None if manifest is None else manifest.product_version,
        "entities": None if manifest is None else sum(manifest.counts.values()),
    }


@endpoints.loop_route(
    "GET",
    SAFETY,
    summary="The safety backups, newest first: taken before each restore, and before a master "
    "gave up its role after a network split (openscc's own)",
    roles=ADMIN_ONLY,
    response_schema={"type": "array", "items": {"type": "object"}},
    tag="openscc",
)
async def list_backups(request: Request, caller: Caller) -> Response:
    data_dir = services(request).instance.data_dir
    backups = await services(request).workers.run(list_safety_backups, data_dir)
    return json_response([_view(b) for b in backups])


@endpoints.loop_route(
    "GET",
    f"{SAFETY}/{{name}}",
    summary="Download one safety backup (openscc's own)",
    roles=ADMIN_ONLY,
    response_content_type="application/zip",
    more_responses={"404": "NOT_FOUND: no safety backup of that name"},
    tag="openscc",
)
async def download(request: Request, caller: Caller) -> Response:
    name = str(request.path_params["name"])
    data_dir = services(request).instance.data_dir
    # Only a safety backup's own name pattern, inside the safety folder: never another path.
    found = await services(request).workers.run(find_safety_backup, data_dir, name)
    if found is None:
        raise NotFound("no safety backup of that name")
    return FileResponse(
        found,
        media_type="application/zip",
        filename=found.name,
        headers={"Cache-Control": "no-store"},
    )

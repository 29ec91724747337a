"""openscc's own: the local users, managed by an Administrator over the API (the web page's
Users and roles; ``openscc users`` does the same on the host). Each instance has its own users,
a shadow included; passwords are hashed in the bounded hash slots, never answered back."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import read_json_object
from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.responses import created, empty_response, json_response
from openscc.api.routes.configuration.common import base_of
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.api.routes.users.session import EXTENSION
from openscc.auth.roles import ADMIN_ONLY, ROLE_NAMES
from openscc.auth.users import (
    NEW_USER_FIELDS,
    USER_CHANGE_FIELDS,
    User,
    read_new_user,
    read_user_change,
)
from openscc.errors import Conflict

endpoints = EndpointTable()
USERS = f"{EXTENSION}/users"
_ROLE = {"type": "string", "enum": list(ROLE_NAMES)}
_USER = {
    "type": "object",
    "properties": {
        "user": {"type": "string"},
        "role": _ROLE,
        "initialPassword": {"type": "boolean"},
    },
}
_COMMON: dict[str, Any] = {"roles": ADMIN_ONLY, "tag": "openscc"}


def _view(user: User) -> dict[str, object]:
    return {"user": user.name, "role": user.role, "initialPassword": user.initial_password}


async def _hash(svc: Services, password: str) -> str:
    return await svc.authenticator.hash_slots.run(svc.instance.passwords.hash, password)


@endpoints.loop_route(
    "GET",
    USERS,
    summary="The local users with their roles (openscc's own)",
    response_schema={"type": "array", "items": _USER},
    **_COMMON,
)
async def list_users(request: Request, caller: Caller) -> Response:
    svc = services(request)
    users = await svc.store_thread.run(svc.instance.users.all)
    return json_response([_view(u) for u in users])


@endpoints.loop_route(
    "POST",
    USERS,
    summary="Add a local user with a role and a password (openscc's own)",
    status=201,
    request_fields=NEW_USER_FIELDS,
    response_schema=_USER,
    more_responses={"409": "CONFLICT: the user exists"},
    **_COMMON,
)
async def add_user(request: Request, caller: Caller) -> Response:
    name, role, password = read_new_user(await read_json_object(request))
    svc = services(request)
    password_hash = await _hash(svc, password)

    def add() -> User:
        with svc.instance.store.transaction():
            return svc.instance.users.add_hashed(name, role, password_hash)

    user = await svc.store_thread.run(add)
    note_change(request, "user.added", user=name, role=role)
    return created(f"{base_of(request)}{USERS}/{quote(name, safe='')}", _view(user))


@endpoints.loop_route(
    "PUT",
    f"{USERS}/{{name}}",
    summary="Change a local user's role or set a new password (openscc's own); the user's "
    "sessions end",
    status=204,
    request_fields=USER_CHANGE_FIELDS,
    more_responses={
        "404": "NOT_FOUND: no such user",
        "409": "CONFLICT: the last administrator keeps the role",
    },
    **_COMMON,
)
async def change_user(request: Request, caller: Caller) -> Response:
    name = str(request.path_params["name"])
    role, password = read_user_change(name, await read_json_object(request))
    svc = services(request)
    password_hash = None if password is None else await _hash(svc, password)
    users = svc.instance.users

    def change() -> None:
        with svc.instance.store.transaction():
            if role is not None:
                users.set_role(name, role)
            if password_hash is not None:
                users.set_password_hash(name, password_hash)

    await svc.store_thread.run(change)
    svc.forget_credentials(name)
    note_change(request, "user.changed", user=name, role=role or "", password_set=bool(password))
    return empty_response()


@endpoints.loop_route(
    "DELETE",
    f"{USERS}/{{name}}",
    summary="Remove a local user (not yourself, not the last administrator; openscc's own)",
    status=204,
    more_responses={
        "404": "NOT_FOUND: no such user",
        "409": "CONFLICT: yourself or the last administrator",
    },
    **_COMMON,
)
async def remove_user(request: Request, caller: Caller) -> Response:
    name = str(request.path_params["name"])
    if name == caller.user.name:
        raise Conflict("you cannot remove yourself")
    svc = services(request)

    def remove() -> None:
        with svc.instance.store.transaction():
            svc.instance.users.remove(name)

    await svc.store_thread.run(remove)
    svc.forget_credentials(name)
    note_change(request, "user.removed", user=name)
    return empty_response()

"""The connector's own endpoints: version, description, HA role, the local user's name and password."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from openscc import SCC_API_VERSION
from openscc.api.http.authorization import INITIAL_PASSWORD_MESSAGE
from openscc.api.http.bodies import (
    MAX_BODY_BYTES,
    check_json_media,
    parse_json_body,
    read_capped,
    read_json_object,
)
from openscc.api.http.context import Caller, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest, json_object
from openscc.api.http.responses import empty_response, json_response
from openscc.api.routes.monitoring.audit_trail import note_change
from openscc.auth.credentials import MAX_PASSWORD_CHARS
from openscc.auth.policy import check_new_password
from openscc.auth.roles import ADMIN, ADMIN_ONLY, ADMINISTRATORS, EVERY_ROLE
from openscc.auth.users import check_user_name
from openscc.config.connector_state import (
    DESCRIPTION_FIELDS,
    HA_ROLES,
    connector_body,
    ha_role,
    update_connector,
)
from openscc.config.values import Fields, String
from openscc.errors import Conflict, Forbidden, InvalidRequest

endpoints = EndpointTable()
V1 = "/api/v1"
CONFIG = f"{V1}/configuration"

_STRING = {"type": "string"}
_ERROR_FREE_OBJECT = {"type": "object"}


@endpoints.loop_route(
    "GET",
    f"{V1}/connector/version",
    summary="The Cloud Connector version this server implements",
    roles=EVERY_ROLE,
    needs_ha_role=False,
    response_schema={"type": "object", "properties": {"version": _STRING}, "required": ["version"]},
)
async def get_version(request: Request, caller: Caller) -> Response:
    # Nothing to read from the store: answered on the event loop, without a thread switch.
    return json_response({"version": SCC_API_VERSION}, cache_control="max-age=3600")


def _connector_view(request: Request) -> dict[str, object]:
    body = connector_body(services(request).instance.store)
    return {"ha": {"role": body.get("haRole")}, "description": body.get("description", "")}


_CONNECTOR_SCHEMA = {
    "type": "object",
    "properties": {
        "ha": {"type": "object", "properties": {"role": {"type": ["string", "null"]}}},
        "description": _STRING,
    },
}


@endpoints.route(
    "GET",
    f"{CONFIG}/connector",
    summary="The connector's HA role and description",
    roles=EVERY_ROLE,
    response_schema=_CONNECTOR_SCHEMA,
)
def get_connector(request: ReadRequest, caller: Caller) -> Response:
    return json_response(_connector_view(request))


@endpoints.route(
    "PUT",
    f"{CONFIG}/connector",
    summary="Set the connector's description (an empty string clears it)",
    roles=ADMINISTRATORS,
    changes_config=True,
    request_fields=DESCRIPTION_FIELDS,
    response_schema=_CONNECTOR_SCHEMA,
)
def put_connector(request: ReadRequest, caller: Caller) -> Response:
    description = DESCRIPTION_FIELDS.read(json_object(request))["description"]
    svc = services(request)
    with svc.instance.store.transaction():
        update_connector(svc.instance.store, description=description)
    note_change(request, "connector.description")
    return json_response(_connector_view(request))


@endpoints.route(
    "GET",
    f"{CONFIG}/connector/haRole",
    summary="The instance's high-availability role",
    roles=EVERY_ROLE,
    needs_ha_role=False,
    response_schema={"type": ["string", "null"]},
)
def get_ha_role(request: ReadRequest, caller: Caller) -> Response:
    return json_response(ha_role(services(request).instance.store))


async def _role_of(request: Request) -> object:
    """The role a body names: the JSON string the page shows ("shadow"), or the bare word SAP's
    own samples send (shadow), which is not JSON."""
    check_json_media(request)
    raw = await read_capped(request, MAX_BODY_BYTES, "the request body")
    try:
        return parse_json_body(raw)
    except InvalidRequest:
        return raw.decode("utf-8", "replace").strip()


_ROLE_SUMMARY = 'Set the high-availability role, once: "master" or "shadow" (quoted or bare)'


@endpoints.loop_route(
    "PUT",
    f"{CONFIG}/connector/haRole",
    summary=_ROLE_SUMMARY + " — as POST, the method of SAP's own samples",
    roles=ADMIN_ONLY,
    needs_ha_role=False,
    status=204,
    request_schema={"type": "string", "enum": list(HA_ROLES)},
)
@endpoints.loop_route(
    "POST",
    f"{CONFIG}/connector/haRole",
    summary=_ROLE_SUMMARY,
    roles=ADMIN_ONLY,
    needs_ha_role=False,
    status=204,
    request_schema={"type": "string", "enum": list(HA_ROLES)},
)
async def post_ha_role(request: Request, caller: Caller) -> Response:
    role = await _role_of(request)
    if role not in HA_ROLES:
        raise InvalidRequest('the HA role must be "master" or "shadow"')
    svc = services(request)
    store = svc.instance.store

    def set_first_role() -> str | None:
        with store.transaction():
            current = ha_role(store)
            if current is None:
                update_connector(store, haRole=role)
            return current

    current = await svc.store_thread.run(set_first_role)
    if current is not None:
        # A master with a connected shadow switches roles with it ("shadow" only).
        if not (current == "master" and role == "shadow" and await svc.ha.shadow_connected()):
            raise Conflict(
                f"the HA role is already {current}; it changes only from master to shadow, "
                "with a shadow connected (the roles switch)"
            )
        await svc.ha.switch(force=False)
    note_change(request, "connector.haRole", role=role)
    return empty_response()


_PASSWORD_CHANGE = {"oldPassword", "newPassword"}
_RENAME = {"user", "password"}
_CHANGE_FORM = "{oldPassword, newPassword}: a new password"
_RENAME_FORM = "{user, password}: a new user name and the current password (Administrator role)"
# Two forms of body, told apart by the names given: {oldPassword, newPassword} or {user, password}.
BASIC_FIELDS = Fields(
    String(name="oldPassword", secret=True, description=_CHANGE_FORM),
    String(name="newPassword", secret=True, description=_CHANGE_FORM),
    String(name="user", description=_RENAME_FORM),
    String(name="password", secret=True, description=_RENAME_FORM),
)


@endpoints.loop_route(
    "PUT",
    f"{CONFIG}/connector/authentication/basic",
    summary="Change the caller's own password ({oldPassword, newPassword}), or, for the "
    "Administrator role, the caller's own user name ({user, password}: the new name and the "
    "current password)",
    roles=EVERY_ROLE,  # openscc: every local user changes their own password
    needs_ha_role=False,
    before_initial_password=True,
    status=204,
    request_fields=BASIC_FIELDS,
    more_responses={
        "409": "ILLEGAL_STATE: LDAP authentication is active (users are the directory's), or "
        "the new user name is taken"
    },
)
async def change_basic_user(request: Request, caller: Caller) -> Response:
    data = await read_json_object(request)
    given = _PASSWORD_CHANGE.union(_RENAME).intersection(data)
    if given & _RENAME and given & _PASSWORD_CHANGE:
        raise InvalidRequest(
            "send either {oldPassword, newPassword} (a new password) or {user, password} "
            "(a new user name), not both"
        )
    if caller.user.from_directory:
        raise Conflict(
            "LDAP authentication is active: users, their names and passwords are the "
            "directory's, changed there"
        )
    if given & _RENAME:
        return await _rename(request, caller, data)
    return await _change_password(request, caller, data)


def _given(values: dict[str, Any], name: str) -> str:
    value = values[name]
    if value is None:
        raise InvalidRequest(f"{name} is required")
    return str(value)


async def _change_password(request: Request, caller: Caller, data: dict[str, Any]) -> Response:
    values = BASIC_FIELDS.read(data)
    old = _given(values, "oldPassword")
    new = _given(values, "newPassword")
    if len(old) > MAX_PASSWORD_CHARS:
        raise InvalidRequest("the old password is wrong")
    svc = services(request)
    users = svc.instance.users
    name = caller.user.name
    check_new_password(name, new, old=old)  # before any hash: a refused policy costs nothing
    # A wrong old password counts as a failed logon (the lockout decides whether it is checked
    # at all), so a session cannot be used to guess it.
    if not await svc.authenticator.check_password(name, old):
        svc.instance.audit.record(
            "password.change_refused", actor=name, reason="wrong old password"
        )
        raise InvalidRequest("the old password is wrong")

    new_hash = await svc.authenticator.hash_slots.run(svc.instance.passwords.hash, new)

    def store_new_hash() -> None:
        with svc.instance.store.transaction():
            users.set_password_hash(name, new_hash)

    await svc.store_thread.run(store_new_hash)
    # Cached logins and every session of the user end: a stolen session does not outlive it.
    svc.forget_credentials(name)
    note_change(request, "password.changed")
    return empty_response()


async def _rename(request: Request, caller: Caller, data: dict[str, Any]) -> Response:
    """The page's "Change Basic Authentication User": ``user`` is the new name, ``password`` the
    current password. The page gives it to the Administrator role alone, before whom the
    initial password must be changed like for any other operation."""
    if caller.user.initial_password:
        raise Forbidden(INITIAL_PASSWORD_MESSAGE)
    if caller.user.role != ADMIN:
        raise Forbidden(
            f"method requires one of the roles {ADMIN}. User has role(s) {caller.user.role}"
        )
    values = BASIC_FIELDS.read(data)
    new_name = _given(values, "user")
    password = _given(values, "password")
    check_user_name(new_name)  # before any hash: a refused name costs nothing
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidRequest("the current password is wrong")
    svc = services(request)
    name = caller.user.name
    # As for a password change: a wrong password counts as a failed logon.
    if not await svc.authenticator.check_password(name, password):
        svc.instance.audit.record("user.rename_refused", actor=name, reason="wrong password")
        raise InvalidRequest("the current password is wrong")

    def rename() -> None:
        with svc.instance.store.transaction():
            svc.instance.users.rename(name, new_name)

    await svc.store_thread.run(rename)
    if new_name != name:
        # Sessions and cached logons of the old name end; the user logs on with the new one.
        svc.forget_credentials(name)
    note_change(request, "user.renamed", user=new_name)
    return empty_response()

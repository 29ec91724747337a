"""Form login, as the Cloud Connector's UI does it: ``POST /j_security_check``."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.bodies import MAX_BODY_BYTES, media_type, read_capped
from openscc.api.http.context import services
from openscc.api.http.guard import session_headers
from openscc.api.http.responses import empty_response, error_response
from openscc.api.http.router import audit_written
from openscc.auth.credentials import check_logon
from openscc.errors import NotAuthenticated, OpensccError, PayloadTooLarge, UnsupportedMediaType

FORM_TYPE = "application/x-www-form-urlencoded"


async def j_security_check(request: Request) -> Response:
    response = await _log_on(request)
    await audit_written(services(request))  # the logon's audit line, before the answer
    return response


async def _log_on(request: Request) -> Response:
    svc = services(request)
    media = media_type(request)
    if media != FORM_TYPE:
        return error_response(
            UnsupportedMediaType(
                f"content type {media or 'none'} is not supported; send {FORM_TYPE}"
            )
        )
    # This endpoint is open to anyone, so its body is capped while it is read.
    try:
        body = await read_capped(request, MAX_BODY_BYTES, "the login form")
    except PayloadTooLarge as error:
        return error_response(error)
    form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    name = form.get("j_username")
    password = form.get("j_password")
    if name is None or password is None:
        return error_response(NotAuthenticated("j_username and j_password are required"))
    try:
        check_logon(name, password)
        verified = await svc.authenticator.verify(name, password)
    except OpensccError as error:
        return error_response(error)
    if verified is None:
        if svc.authenticator.lockout.is_locked(name):
            # Any name can be locked, known or not: saying so tells nothing about the users.
            return error_response(
                NotAuthenticated(
                    "this user is locked after too many failed logons; try again in "
                    f"{max(1, svc.instance.settings.lockout_seconds // 60)} minutes"
                )
            )
        return error_response(NotAuthenticated("invalid credentials"))
    session = svc.sessions.start(verified.user.name, verified.stamp)
    svc.instance.audit.record("login.success", actor=verified.user.name, method="form")
    response = empty_response(204)
    for header, value in session_headers(session, new=True):
        response.headers.append(header, value)
    return response

"""Form login, as the Cloud Connector's UI does it: ``POST /j_security_check``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.context import services
from openscc.api.guard import check_credentials, session_headers
from openscc.api.responses import empty_response, error_response
from openscc.errors import NotAuthenticated, PayloadTooLarge


async def j_security_check(request: Request) -> Response:
    svc = services(request)
    if int(request.headers.get("content-length") or 0) > 64 * 1024:
        return error_response(PayloadTooLarge("the login form is too large"))
    form = await request.form()
    name = form.get("j_username")
    password = form.get("j_password")
    if not isinstance(name, str) or not isinstance(password, str):
        return error_response(NotAuthenticated("j_username and j_password are required"))
    user = await check_credentials(svc, name, password)
    if user is None:
        return error_response(NotAuthenticated("invalid credentials"))
    session = svc.sessions.start(user.name)
    svc.instance.audit.record("login.success", actor=user.name, method="form")
    response = empty_response(204)
    for header, value in session_headers(session, new=True):
        response.headers.append(header, value)
    return response

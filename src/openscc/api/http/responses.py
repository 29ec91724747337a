"""The response shapes of the Cloud Connector API, including its one error shape."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from openscc.errors import OpensccError, ServerBusy

JSON = "application/json"
DER = "application/pkix-cert"  # one certificate, binary (several: one after another)
PEM = "application/x-pem-file"


def json_response(
    content: Any,
    status_code: int = 200,
    *,
    headers: dict[str, str] | None = None,
    cache_control: str = "no-store",
) -> Response:
    body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    all_headers = {"Cache-Control": cache_control, **(headers or {})}
    return Response(body, status_code=status_code, media_type=JSON, headers=all_headers)


def empty_response(status_code: int = 204, *, headers: dict[str, str] | None = None) -> Response:
    response = Response(
        b"", status_code=status_code, headers={"Cache-Control": "no-store", **(headers or {})}
    )
    if status_code == 201:
        response.headers["Content-Length"] = "0"
    return response


def created(location: str, content: Any = None) -> Response:
    """A 201 with the absolute Location of the new entity; JSON body only where the product has one."""
    if content is None:
        return empty_response(201, headers={"Location": location})
    return json_response(content, 201, headers={"Location": location})


def attachment(data: bytes, file_name: str, media_type: str) -> Response:
    """A file to save (a certificate, a bundle), never cached."""
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment;filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )


def accepts(request: Request, media_type: str) -> bool:
    """The request names this media type in its Accept header."""
    return media_type in request.headers.get("accept", "").lower()


def wants_der(request: Request) -> bool:
    """DER when the client accepts application/pkix-cert before (or without) PEM."""
    accept = request.headers.get("accept", "").lower()
    der, pem = accept.find(DER), accept.find(PEM)
    return der >= 0 and (pem < 0 or der < pem)


def error_response(error: OpensccError, *, headers: dict[str, str] | None = None) -> Response:
    extra = dict(headers or {})
    if error.status == 401:
        extra.setdefault("WWW-Authenticate", 'Basic realm="openscc"')
    if isinstance(error, ServerBusy):
        extra.setdefault("Retry-After", str(error.retry_after))
    return json_response(error.to_body(), error.status, headers=extra)


LOGIN_PAGE = """<!DOCTYPE html>
<html><head><title>Cloud Connector Login</title></head>
<body><form method="post" action="/j_security_check">
<label>User <input name="j_username" autocomplete="username"></label>
<label>Password <input name="j_password" type="password" autocomplete="current-password"></label>
<button type="submit">Log On</button></form></body></html>
"""


def login_page() -> Response:
    """What an expired or unknown session gets: 200 and the login page, as the product does."""
    return HTMLResponse(LOGIN_PAGE, headers={"Cache-Control": "no-store"})

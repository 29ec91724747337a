"""The web page's routes: ``/`` leads to ``/ui/``, which is one HTML shell; its scripts render
every page in the browser from the REST API. Its policy allows scripts and styles from this
origin only (no inline script, no eval) and no framing."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
UI = "/ui/"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


async def _root(request: Request) -> Response:
    return RedirectResponse(UI, status_code=303)


async def _shell(request: Request) -> Response:
    return FileResponse(
        STATIC / "index.html",
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
        },
    )


def web_routes() -> list[BaseRoute]:
    return [
        Route("/", _root, methods=["GET"]),
        Route(UI, _shell, methods=["GET"]),
        Mount("/ui/assets", StaticFiles(directory=STATIC / "assets"), name="ui-assets"),
    ]

"""The bare app: the same JSON as openscc's endpoints, no auth, no database, no middleware.

Run as ``python -m bench.bare_app CERT KEY KEY_PASSWORD PORT DIR`` on the same stack as
``openscc serve``: one uvicorn process, the same uvicorn options and logging, the same certificate,
TLS 1.2 at least. ``DIR`` holds ``version.json`` and ``mappings.json``, the bodies openscc
answered; the app keeps them as Python objects and serialises them per request with the same
``json.dumps`` call openscc's ``json_response`` makes.
"""

from __future__ import annotations

import json
import logging
import ssl
import sys
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openscc.http_edge import limited_protocol
from openscc.props import HttpLimits

VERSION_PATH = "/api/v1/connector/version"
MAPPINGS_PATH = "/api/v1/configuration/subaccounts/{region}/{subaccount}/systemMappings"


def _json(content: Any) -> Response:
    body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


def create_bare_app(version: Any, mappings: Any) -> Starlette:
    async def get_version(request: Request) -> Response:
        return _json(version)

    async def list_mappings(request: Request) -> Response:
        return _json(mappings)

    return Starlette(
        routes=[
            Route(VERSION_PATH, get_version, methods=["GET"]),
            Route(MAPPINGS_PATH, list_mappings, methods=["GET"]),
        ]
    )


def main(argv: list[str]) -> None:
    cert, key, key_password, port, folder = argv
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    bodies = Path(folder)
    app = create_bare_app(
        json.loads((bodies / "version.json").read_text()),
        json.loads((bodies / "mappings.json").read_text()),
    )
    # The options openscc.server.serve passes to uvicorn, word for word.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=int(port),
        ssl_certfile=cert,
        ssl_keyfile=key,
        ssl_keyfile_password=key_password,
        timeout_graceful_shutdown=2,
        log_level="info",
        server_header=False,
        http=limited_protocol(HttpLimits()),
    )
    config.load()
    assert config.ssl is not None
    config.ssl.minimum_version = ssl.TLSVersion.TLSv1_2
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main(sys.argv[1:])

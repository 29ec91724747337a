"""A handler runs where its registration says: ``route`` for a store handler (a plain function,
in the store thread), ``loop_route`` for a coroutine on the event loop. Registering one kind as
the other is refused at import, so making a handler ``async`` cannot silently move it."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.catalog import all_endpoints
from openscc.api.http.context import Caller
from openscc.api.http.endpoints import EndpointTable
from openscc.api.http.read_request import ReadRequest


async def _coroutine(request: Request, caller: Caller) -> Response:
    return Response()


def _function(request: ReadRequest, caller: Caller) -> Response:
    return Response()


def test_a_coroutine_registered_as_a_store_handler_is_refused() -> None:
    table = EndpointTable()

    with pytest.raises(TypeError, match="must be registered with loop_route"):
        table.route("GET", "/x", summary="", roles=frozenset())(_coroutine)  # type: ignore[arg-type]


def test_a_function_registered_as_a_loop_handler_is_refused() -> None:
    table = EndpointTable()

    with pytest.raises(TypeError, match="must be registered with route"):
        table.loop_route("GET", "/x", summary="", roles=frozenset())(_function)  # type: ignore[arg-type]


def test_every_endpoint_of_the_api_says_where_it_runs() -> None:
    endpoints = all_endpoints().endpoints
    on_loop = [e for e in endpoints if e.on_loop]

    assert 0 < len(on_loop) < len(endpoints)

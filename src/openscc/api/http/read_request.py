"""The request a store-thread handler gets: its body already read, bounded, on the event loop.

A handler that reads or changes the configuration runs in the store thread (see
``openscc.store.thread``), where nothing can be awaited. The router reads the request's body
first, on the event loop: JSON as bytes (at most 1 MiB) and multipart forms as their parts (at
most 1 MiB). A body that cannot be read is not an error until the handler asks for it, so an
endpoint that ignores its body answers as it always did.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from openscc.api.http.bodies import (
    MAX_BODY_BYTES,
    as_json_object,
    check_json_media,
    media_type,
    parse_json_body,
    read_capped,
)
from openscc.api.http.uploads import MULTIPART, FormParts, read_form_parts
from openscc.errors import OpensccError, UnsupportedMediaType

_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadRequest(Request):
    """A Starlette request whose body was read before its handler ran."""

    _body_bytes: bytes
    _parts: FormParts | None
    _error: OpensccError | None

    @classmethod
    async def read(cls, request: Request) -> ReadRequest:
        read = cls(request.scope)
        read._body_bytes, read._parts, read._error = b"", None, None
        if request.method in _NO_BODY:
            return read
        try:
            if media_type(request) == MULTIPART:
                read._parts = await read_form_parts(request)
            else:
                read._body_bytes = await read_capped(request, MAX_BODY_BYTES, "the request body")
        except OpensccError as error:
            read._error = error
        return read

    @property
    def body_bytes(self) -> bytes:
        """The body as it came (not for a multipart form); raises what reading it raised."""
        if self._error is not None:
            raise self._error
        return self._body_bytes

    @property
    def parts(self) -> FormParts | None:
        """The parts of a multipart form by name, or None if the body is not one."""
        if self._error is not None:
            raise self._error
        return self._parts


def json_body(request: ReadRequest) -> Any:
    """The request's JSON value; 415 for a non-JSON content type, 413 over 1 MiB, 400 for bad
    JSON."""
    check_json_media(request)
    return parse_json_body(request.body_bytes)


def json_object(request: ReadRequest) -> dict[str, Any]:
    return as_json_object(json_body(request))


def form_parts(request: ReadRequest) -> FormParts:
    """The parts of the multipart form the router read for the handler (415 if it sent none)."""
    parts = request.parts
    if parts is None:
        raise UnsupportedMediaType("send multipart/form-data")
    return parts

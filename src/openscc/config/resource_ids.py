"""The Cloud Connector's encoding of resource ids (URL paths) into one URI segment.

Encoding replaces ``+`` by ``+2B``, then ``-`` by ``+2D``, then ``/`` by ``-``; so ``/`` is ``-``.
"""

from __future__ import annotations

from openscc.errors import InvalidRequest


def encode_resource_id(resource_id: str) -> str:
    return resource_id.replace("+", "+2B").replace("-", "+2D").replace("/", "-")


def decode_resource_id(encoded: str) -> str:
    """Reverse ``encode_resource_id``; a ``+`` not followed by 2B or 2D is invalid."""
    out: list[str] = []
    i = 0
    while i < len(encoded):
        char = encoded[i]
        if char == "-":
            out.append("/")
            i += 1
        elif char == "+":
            escape = encoded[i + 1 : i + 3].upper()
            if escape == "2B":
                out.append("+")
            elif escape == "2D":
                out.append("-")
            else:
                raise InvalidRequest(f"invalid encoded resource id {encoded!r}")
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)

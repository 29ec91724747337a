"""An archive's members as lines: a byte stream split into lines, and each line checked as a
configuration record or a secret entry (messages never quote a secret line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openscc.backup.manifest import CONFIG_MEMBER, SECRETS_MEMBER
from openscc.backup.strict_json import parse_canonical, parse_json
from openscc.errors import CorruptArchive

_CONFIG_FIELDS = frozenset({"kind", "key", "parent", "body"})
_SECRET_FIELDS = frozenset({"kind", "key", "secret"})


def member_lines(chunks: Iterator[bytes], member: str) -> Iterator[bytes]:
    """Split a byte stream into newline-terminated lines (without the newline)."""
    pending = bytearray()  # the start of a line that continues in a later chunk
    for chunk in chunks:
        last = chunk.rfind(b"\n")
        if last < 0:
            pending += chunk  # one very long line costs linear time, never quadratic
            continue
        lines = chunk[:last].split(b"\n")
        if pending:
            pending += lines[0]
            lines[0] = bytes(pending)
            pending = bytearray()
        yield from lines
        pending += chunk[last + 1 :]
    if pending:
        raise CorruptArchive(f"{member} does not end with a newline")


_BODY_MARK = b',"body":'
_FIELD_ORDER = ["kind", "key", "parent", "body"]


def parse_config_line(line: bytes, number: int) -> tuple[dict[str, Any], str | None]:
    """The line's fields (kind, key, parent, body), checked, and the body's JSON text when the
    line is in canonical form (so the store can keep it without encoding the body again).

    In a canonical line whose fields come in the writer's order, kind, key and parent come
    first, compact, and a JSON string cannot hold ``,"body":`` unescaped: the first such
    sequence is the one before the body, and the body's text runs from there to the closing
    brace.
    """
    where = f"line {number} of {CONFIG_MEMBER}"
    try:
        data, canonical = parse_canonical(line)
    except ValueError:
        raise CorruptArchive(f"{where} is not valid JSON") from None
    if (
        not isinstance(data, dict)
        or data.keys() != _CONFIG_FIELDS
        or not isinstance(data["kind"], str)
        or not data["kind"]
        or not isinstance(data["key"], str)
        or not (data["parent"] is None or isinstance(data["parent"], str))
        or not isinstance(data["body"], dict)
    ):
        raise CorruptArchive(f"{where} is not a record")
    body_text = None
    if canonical and list(data) == _FIELD_ORDER:
        start = line.find(_BODY_MARK) + len(_BODY_MARK)
        body_text = line[start:-1].decode("utf-8")
    return data, body_text


def parse_secret_line(line: bytes, number: int) -> tuple[str, str, dict[str, Any]]:
    # Messages here never quote the line: it is secret.
    where = f"line {number} of {SECRETS_MEMBER}"
    try:
        data = parse_json(line)
    except ValueError:
        raise CorruptArchive(f"{where} is not valid JSON") from None
    if (
        not isinstance(data, dict)
        or data.keys() != _SECRET_FIELDS
        or not isinstance(data["kind"], str)
        or not isinstance(data["key"], str)
        or not isinstance(data["secret"], dict)
    ):
        raise CorruptArchive(f"{where} is not a secret entry")
    return data["kind"], data["key"], data["secret"]

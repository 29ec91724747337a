"""The unit of configuration that moves between the store and a backup archive."""

from __future__ import annotations

import json
from typing import Any

# The one form a body is stored in: compact JSON. The store writes it, a backup copies it into
# the archive where it can, and a restore copies the archive's text back where it can.
_BODY_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode_body(body: dict[str, Any]) -> str:
    return _BODY_ENCODER.encode(body)


class EntityRecord:
    """One configuration entity: its non-sensitive fields and, apart, its sensitive ones.

    ``kind`` names the kind of entity (``subaccount``, ``systemMapping``, ``user``, ...), ``key`` is
    unique within the kind, ``parent`` is the key of the owning entity (or None). ``body`` never
    holds a secret; ``secret`` holds every sensitive field in plaintext, or is None.

    A record is made from a body (the API), from the body's JSON text (the store), or from both
    (an archive line, parsed and its text kept): a missing form is computed from the other only
    when asked for, so moving records between the store and an archive need not parse and
    re-encode every body. Records are immutable.
    """

    __slots__ = ("_body", "_body_json", "key", "kind", "parent", "secret")

    kind: str
    key: str
    parent: str | None
    secret: dict[str, Any] | None
    _body: dict[str, Any] | None
    _body_json: str | None

    def __init__(
        self,
        *,
        kind: str,
        key: str,
        parent: str | None,
        body: dict[str, Any] | None = None,
        secret: dict[str, Any] | None = None,
        body_json: str | None = None,
    ) -> None:
        if body is None and body_json is None:
            raise TypeError("a record needs its body or its body's JSON text (or both)")
        set_slot = object.__setattr__
        set_slot(self, "kind", kind)
        set_slot(self, "key", key)
        set_slot(self, "parent", parent)
        set_slot(self, "secret", secret)
        set_slot(self, "_body", body)
        set_slot(self, "_body_json", body_json)

    @property
    def body(self) -> dict[str, Any]:
        if self._body is None:
            value = json.loads(self._body_json or "")
            if not isinstance(value, dict):
                raise TypeError(f"the body of {self.kind} {self.key!r:.80} is not an object")
            object.__setattr__(self, "_body", value)
            return value
        return self._body

    @property
    def body_json(self) -> str:
        """The body as the store keeps it (compact JSON), or as the text it was read from."""
        if self._body_json is None:
            text = encode_body(self.body)
            object.__setattr__(self, "_body_json", text)
            return text
        return self._body_json

    @property
    def known_body_json(self) -> str | None:
        """The body's JSON text if the record was made from it (never encodes)."""
        return self._body_json

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"EntityRecord is immutable: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EntityRecord):
            return NotImplemented
        return (self.kind, self.key, self.parent, self.body, self.secret) == (
            other.kind,
            other.key,
            other.parent,
            other.body,
            other.secret,
        )

    __hash__ = None  # type: ignore[assignment]  # bodies are dicts

    def __repr__(self) -> str:
        secret = "None" if self.secret is None else "{...}"
        return (
            f"EntityRecord(kind={self.kind!r}, key={self.key!r}, parent={self.parent!r}, "
            f"body={self.body!r}, secret={secret})"
        )

"""Request values read the way real clients send them, declared once for parser and OpenAPI.

Scalars are read leniently: a boolean may come as ``"true"``, a number as ``"8080"`` or
``8080.0``, a string as a number. A ``Field`` declares one field of a body (its type, bounds and
whether it is required); a ``Fields`` reads a whole body with them and describes it as a JSON
schema, so the schema an endpoint publishes is the parser's own (``Endpoint.request_fields``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from openscc.errors import InvalidRequest
from openscc.logsafe import shown

_HOST = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_WHOLE_NUMBER = re.compile(r"\s*-?\d{1,18}\s*")
MAX_TEXT = 4096


def as_bool(value: Any, field: str) -> bool:
    """A boolean given as JSON true/false or as the strings "true"/"false" (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidRequest(f"{field} must be a boolean")


def as_int(
    value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number given as a JSON number or a string of digits, within the bounds given."""
    if isinstance(value, bool):
        raise InvalidRequest(f"{field} must be a number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        value = int(value)
    if not isinstance(value, int):
        raise InvalidRequest(f"{field} must be a number")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidRequest(f"{field} must be {_range(minimum, maximum)}")
    return value


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"between {minimum} and {maximum}"
    return f"at least {minimum}" if minimum is not None else f"at most {maximum}"


def as_str(value: Any, field: str, *, allow_empty: bool = True, max_length: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string")
    if not allow_empty and not value.strip():
        raise InvalidRequest(f"{field} must not be empty")
    if len(value) > max_length:
        raise InvalidRequest(f"{field} is longer than {max_length} characters")
    return value


def now_ms() -> int:
    return int(time.time() * 1000)


def present(data: dict[str, Any], field: str) -> bool:
    """A field counts as given unless it is missing or JSON null."""
    return data.get(field) is not None


def required(data: dict[str, Any], field: str) -> Any:
    if not present(data, field):
        raise InvalidRequest(f"{field} is required")
    return data[field]


def opt_str(
    data: dict[str, Any], field: str, default: str | None = None, *, max_length: int = MAX_TEXT
) -> str | None:
    if not present(data, field):
        return default
    value = data[field]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # lenient: a number where a string is expected
    return as_str(value, field, max_length=max_length)


def req_str(data: dict[str, Any], field: str, *, max_length: int = MAX_TEXT) -> str:
    value = opt_str(data, field, max_length=max_length)
    if value is None or not value.strip():
        raise InvalidRequest(f"{field} is required")
    return value


def opt_bool(data: dict[str, Any], field: str, default: bool) -> bool:
    return as_bool(data[field], field) if present(data, field) else default


def opt_int(
    data: dict[str, Any],
    field: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    if not present(data, field):
        return default
    return as_int(data[field], field, minimum=minimum, maximum=maximum)


def port_text(data: dict[str, Any], field: str) -> str:
    """A required TCP port, given as a number or a string, returned as the product shows it."""
    return str(as_int(required(data, field), field, minimum=1, maximum=65535))


def host(value: str, field: str) -> str:
    if not _HOST.match(value):
        raise InvalidRequest(f"{field} {value!r} is not a valid host name")
    return value


def identifier(value: str, field: str) -> str:
    if not _IDENTIFIER.match(value):
        raise InvalidRequest(f"{field} {value!r} is not a valid identifier")
    return value


# Fields: one declaration, read by the parser and published in the OpenAPI document


@dataclass(frozen=True, kw_only=True)
class Field:
    """One field of a JSON object body. Absent or null, it is ``default`` unless ``required``."""

    name: str
    required: bool = False
    default: Any = None
    description: str | None = None

    def read(self, data: dict[str, Any]) -> Any:
        if not present(data, self.name):
            if self.required:
                raise InvalidRequest(f"{self.name} is required")
            return self.default
        return self.parse(data[self.name])

    def parse(self, value: Any) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        described = self.type_schema()
        return {**described, "description": self.description} if self.description else described

    def type_schema(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Text(Field):
    """A string (a number is taken as its text). Required means non-blank."""

    max_length: int = MAX_TEXT
    host: bool = False  # a host name or IP address
    secret: bool = False  # write-only: never answered back

    def parse(self, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        text = as_str(value, self.name, max_length=self.max_length)
        if self.required and not text.strip():
            raise InvalidRequest(f"{self.name} is required")
        return host(text, self.name) if self.host and text else text

    def type_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.required:
            schema["minLength"] = 1
        if self.host:
            schema["pattern"] = _HOST.pattern
        if self.secret:
            schema |= {"format": "password", "writeOnly": True}
        return schema


@dataclass(frozen=True, kw_only=True)
class String(Field):
    """Strictly a JSON string, "" included: for values where a number is a client's mistake
    (a user name, a password, an e-mail address), which ``Text`` would take as its digits."""

    max_length: int = MAX_TEXT
    secret: bool = False  # write-only: never answered back

    def parse(self, value: Any) -> str:
        return as_str(value, self.name, max_length=self.max_length)

    def type_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.secret:
            schema |= {"format": "password", "writeOnly": True}
        return schema


@dataclass(frozen=True, kw_only=True)
class Flag(Field):
    def parse(self, value: Any) -> bool:
        return as_bool(value, self.name)

    def type_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True, kw_only=True)
class Number(Field):
    minimum: int | None = None
    maximum: int | None = None

    def parse(self, value: Any) -> int:
        return as_int(value, self.name, minimum=self.minimum, maximum=self.maximum)

    def type_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


@dataclass(frozen=True, kw_only=True)
class Port(Field):
    """A TCP port as a number or a string; read as the product shows it (a string)."""

    def parse(self, value: Any) -> str:
        return str(as_int(value, self.name, minimum=1, maximum=65535))

    def type_schema(self) -> dict[str, Any]:
        return {"type": ["string", "integer"], "pattern": r"^[0-9]{1,5}$",
                "minimum": 1, "maximum": 65535}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Choice(Field):
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def parse(self, value: Any) -> str:
        if value not in self.values:
            raise InvalidRequest(f"{self.name} must be one of {', '.join(self.values)}")
        return str(value)

    def type_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True, kw_only=True)
class AnyCaseChoice(Choice):
    """One of a fixed set of strings in any case, blanks around it ignored (clients send enum
    values either way); read in the spelling ``values`` gives."""

    def parse(self, value: Any) -> str:
        if isinstance(value, str):
            for choice in self.values:
                if choice.lower() == value.strip().lower():
                    return choice
        raise InvalidRequest(f"{self.name} must be one of {', '.join(self.values)}")

    def type_schema(self) -> dict[str, Any]:
        # JSON Schema has no case-insensitive enum: each letter matches either case.
        spelled = (
            "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in choice)
            for choice in self.values
        )
        return {
            "type": "string",
            "pattern": rf"^\s*(?:{'|'.join(spelled)})\s*$",
            "description": f"one of {', '.join(self.values)}, in any case",
        }


@dataclass(frozen=True, kw_only=True)
class Structured(Field):
    """A nested value its own parser reads (a list of clients, a target); ``json_schema``
    describes what that parser accepts."""

    json_schema: dict[str, Any]
    parser: Any = field(compare=False)  # Callable[[Any, str], Any]: the value and the field's name

    def parse(self, value: Any) -> Any:
        return self.parser(value, self.name)

    def type_schema(self) -> dict[str, Any]:
        return self.json_schema


class Fields:
    """The fields of a JSON object body, in order. Other properties are ignored, as the product
    does, unless ``strict``: for an operation whose page promises ``400 "invalid property
    name"``."""

    def __init__(self, *fields: Field, strict: bool = False) -> None:
        self._fields = {f.name: f for f in fields}
        self.strict = strict
        if len(self._fields) != len(fields):
            raise ValueError("a field is declared twice")

    def _check_names(self, data: dict[str, Any]) -> None:
        if self.strict:
            unknown = next((name for name in data if name not in self._fields), None)
            if unknown is not None:
                raise InvalidRequest(f"invalid property name: {shown(unknown, 64)}")

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def __getitem__(self, name: str) -> Field:
        return self._fields[name]

    def read(self, data: dict[str, Any]) -> dict[str, Any]:
        """Every field's value (its default when absent); InvalidRequest on the first bad one."""
        self._check_names(data)
        return {name: f.read(data) for name, f in self._fields.items()}

    def given(self, data: dict[str, Any]) -> dict[str, Any]:
        """Only the fields present in ``data``, read (a partial update)."""
        self._check_names(data)
        return {name: f.read(data) for name, f in self._fields.items() if present(data, name)}

    def optional(self) -> Fields:
        """The same fields, none required (the body of a partial update)."""
        return Fields(*(replace(f, required=False) for f in self), strict=self.strict)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: f.schema() for name, f in self._fields.items()},
        }
        required_names = [name for name, f in self._fields.items() if f.required]
        if required_names:
            schema["required"] = required_names
        if self.strict:
            schema["additionalProperties"] = False
        return schema

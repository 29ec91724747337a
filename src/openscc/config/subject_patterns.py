"""Subject pattern rules for principal propagation certificates, an ordered list.

The list is one entity; a fresh connector has the product's default rule (``always true`` with
``CN=${name}``), and new rules go before a trailing ``always true`` rule, as the product does.
"""

from __future__ import annotations

import re
from typing import Any

from openscc.config.values import Fields, Number, Structured, Text
from openscc.errors import InvalidRequest, NotFound

ALWAYS_TRUE = "always true"
# The documented operators; the first two test that the variable exists and take no value.
OPERATORS_WITHOUT_VALUE = ("exist", "exist_not")
OPERATORS_WITH_VALUE = ("is", "is_not")
OPERATORS = OPERATORS_WITHOUT_VALUE + OPERATORS_WITH_VALUE
ATTRIBUTES = ("CN", "EMAIL", "L", "OU", "O", "ST", "C")
DEFAULT_RULES: list[dict[str, Any]] = [{"condition": None, "subjectPattern": {"CN": "${name}"}}]
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def _condition(value: Any, _name: str) -> dict[str, str] | None:
    """None for ``always true``; else ``{variable, operator[, value]}``, from the object form or
    the text form the list shows (``name is admin``, ``name exist``)."""
    if isinstance(value, str):
        if value.strip().lower() == ALWAYS_TRUE:
            return None
        parts = value.strip().split(" ", 2)
        if len(parts) < 2:
            raise InvalidRequest(
                "condition must be 'always true' or '<variable> <operator> [<value>]'"
            )
        value = dict(zip(("variable", "operator", "value"), parts, strict=False))
    if not isinstance(value, dict):
        raise InvalidRequest("condition must be an object {variable, operator, value}")
    out = {}
    for field in ("variable", "operator"):
        text = value.get(field)
        if not isinstance(text, str) or not _WORD.match(text.strip()):
            raise InvalidRequest(f"condition.{field} is required: a name")
        out[field] = text.strip()
    operator = out["operator"]
    if operator not in OPERATORS:
        raise InvalidRequest(f"condition.operator must be one of {', '.join(OPERATORS)}")
    given = value.get("value")
    if operator in OPERATORS_WITH_VALUE:
        if not isinstance(given, str) or not given.strip():
            raise InvalidRequest(f"condition.value is required with operator {operator}")
        out["value"] = given.strip()
    elif given not in (None, ""):
        raise InvalidRequest(f"condition.value must not be given with operator {operator}")
    return out


def _subject_pattern(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise InvalidRequest(f"{name} is required: an object of certificate attributes")
    subject: dict[str, str] = {}
    for attribute, text in value.items():
        if attribute.upper() not in ATTRIBUTES:
            raise InvalidRequest(
                f"{name} attribute {attribute!r} must be one of {', '.join(ATTRIBUTES)}"
            )
        if not isinstance(text, str) or not text:
            raise InvalidRequest(f"{name}.{attribute} must be a non-empty string")
        subject[attribute.upper()] = text
    if "CN" not in subject:
        raise InvalidRequest(f"{name} must contain CN")
    return subject


_NAME = {"type": "string", "pattern": _WORD.pattern}
FIELDS = Fields(
    Structured(
        name="condition",
        json_schema={
            "anyOf": [
                {"type": "string", "description": "as the list shows it: 'name is admin'"},
                {
                    "type": "object",
                    "properties": {
                        "variable": _NAME,
                        "operator": {"enum": list(OPERATORS)},
                        "value": {"type": "string"},
                    },
                    "required": ["variable", "operator"],
                },
            ],
            "description": f"absent or null: {ALWAYS_TRUE}",
        },
        parser=_condition,
    ),
    Text(name="description", max_length=1024),
    Structured(
        name="subjectPattern",
        required=True,
        json_schema={
            "type": "object",
            "properties": {name: {"type": "string", "minLength": 1} for name in ATTRIBUTES},
            "required": ["CN"],
            "description": "certificate attributes (names in any case); ${name} is a variable",
        },
        parser=_subject_pattern,
    ),
)
MOVE_FIELDS = Fields(Number(name="position", required=True, minimum=0, description="zero-based"))


def parse(data: dict[str, Any]) -> dict[str, Any]:
    values = FIELDS.read(data)
    rule: dict[str, Any] = {
        "condition": values["condition"],
        "subjectPattern": values["subjectPattern"],
    }
    if values["description"] is not None:
        rule["description"] = values["description"]
    return rule


def insert(rules: list[dict[str, Any]], rule: dict[str, Any]) -> int:
    """Add ``rule`` before a trailing catch-all rule; returns its index."""
    index = len(rules)
    if rules and rules[-1].get("condition") is None:
        index -= 1
    rules.insert(index, rule)
    return index


def check_index(rules: list[dict[str, Any]], text: str) -> int:
    if not text.isdigit() or int(text) >= len(rules):
        raise NotFound(f"Subject pattern rule with value '{text}' does not exist")
    return int(text)


def view(rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "description" in rule:
        out["description"] = rule["description"]
    condition = rule.get("condition")
    out["condition"] = (
        ALWAYS_TRUE
        if condition is None
        else " ".join(condition[f] for f in ("variable", "operator", "value") if condition.get(f))
    )
    out["subjectPattern"] = dict(rule["subjectPattern"])
    return out


def move(rules: list[dict[str, Any]], index_text: str, data: dict[str, Any]) -> int:
    """Move the rule at ``index_text`` to ``position`` (both zero-based); returns the position."""
    index = check_index(rules, index_text)
    position = int(MOVE_FIELDS.read(data)["position"])
    if position >= len(rules):
        raise InvalidRequest(f"position must be between 0 and {len(rules) - 1}")
    rules.insert(position, rules.pop(index))
    return position


def placeholders(rule: dict[str, Any]) -> list[str]:
    """The variables the rule's subject pattern names, ``${name}``, in order of appearance."""
    names: list[str] = []
    for text in rule["subjectPattern"].values():
        for name in _PLACEHOLDER.findall(text):
            if name not in names:
                names.append(name)
    return names


def sample_subject(rule: dict[str, Any], values: dict[str, str]) -> list[tuple[str, str]]:
    """The subject a certificate for these values would get: (attribute, text) pairs. Every
    placeholder needs its value and nothing else may be given, as the product checks."""
    wanted = placeholders(rule)
    missing = [name for name in wanted if not values.get(name)]
    if missing:
        raise InvalidRequest(f"query parameters required by the rule: {', '.join(missing)}")
    extra = sorted(set(values) - set(wanted))
    if extra:
        raise InvalidRequest(f"query parameters the rule does not use: {', '.join(extra)}")
    return [
        (name, _PLACEHOLDER.sub(lambda m: values[m.group(1)], text))
        for name, text in rule["subjectPattern"].items()
    ]

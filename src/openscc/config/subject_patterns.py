"""Subject pattern rules for principal propagation certificates, an ordered list.

The list is one entity; a fresh connector has the product's default rule (``always true`` with
``CN=${name}``), and new rules go before a trailing ``always true`` rule, as the product does.
"""

from __future__ import annotations

import re
from typing import Any

from openscc.config.values import opt_str
from openscc.errors import InvalidRequest, NotFound

ALWAYS_TRUE = "always true"
ATTRIBUTES = ("CN", "EMAIL", "L", "OU", "O", "ST", "C")
DEFAULT_RULES: list[dict[str, Any]] = [{"condition": None, "subjectPattern": {"CN": "${name}"}}]
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _condition(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() == ALWAYS_TRUE:
            return None
        parts = value.strip().split(" ", 2)
        if len(parts) != 3:
            raise InvalidRequest(
                "condition must be 'always true' or '<variable> <operator> <value>'"
            )
        value = {"variable": parts[0], "operator": parts[1], "value": parts[2]}
    if not isinstance(value, dict):
        raise InvalidRequest("condition must be an object {variable, operator, value}")
    out = {}
    for field in ("variable", "operator", "value"):
        text = value.get(field)
        if not isinstance(text, str) or not text.strip():
            raise InvalidRequest(f"condition.{field} is required")
        out[field] = text.strip()
    for field in ("variable", "operator"):
        if not _WORD.match(out[field]):
            raise InvalidRequest(f"condition.{field} {out[field]!r} is not a valid name")
    return out


def parse(data: dict[str, Any]) -> dict[str, Any]:
    pattern = data.get("subjectPattern")
    if not isinstance(pattern, dict) or not pattern:
        raise InvalidRequest("subjectPattern is required: an object of certificate attributes")
    subject: dict[str, str] = {}
    for name, text in pattern.items():
        if name.upper() not in ATTRIBUTES:
            raise InvalidRequest(
                f"subjectPattern attribute {name!r} must be one of {', '.join(ATTRIBUTES)}"
            )
        if not isinstance(text, str) or not text:
            raise InvalidRequest(f"subjectPattern.{name} must be a non-empty string")
        subject[name.upper()] = text
    if "CN" not in subject:
        raise InvalidRequest("subjectPattern must contain CN")
    rule: dict[str, Any] = {
        "condition": _condition(data.get("condition")),
        "subjectPattern": subject,
    }
    description = opt_str(data, "description", max_length=1024)
    if description is not None:
        rule["description"] = description
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
        else f"{condition['variable']} {condition['operator']} {condition['value']}"
    )
    out["subjectPattern"] = dict(rule["subjectPattern"])
    return out

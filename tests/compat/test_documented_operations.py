"""Every operation SAP documents for Cloud Connector 2.19.1 is served, with the documented roles.

``documented-operations.json`` lists each operation (page, section, method, path, roles), made by
``scripts/documented_operations.py`` from SAP's pages. Each is routed (a concrete path with
made-up values; the router must not answer 404 or 405 for it), and the endpoint that serves it
must allow exactly the roles its page lists, but for the few deliberate differences below.
docs/compatibility.md publishes the coverage.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from openscc.api.catalog import all_endpoints
from openscc.api.endpoints import Endpoint
from openscc.auth.roles import DOCUMENTED_NAMES

OPERATIONS = json.loads((Path(__file__).parent / "documented-operations.json").read_text())

# Operations that belong to other work (the HA issue and the monitoring issue); none may be here
# when that work is done. Each entry: (method, documented path) -> why it is not served yet.
NOT_YET: dict[tuple[str, str], str] = {
    (op["method"], op["path"]): "high availability is its own issue"
    for op in OPERATIONS
    if "/ha/" in op["path"]
}

# Where openscc's roles differ from the page on purpose, and why.
ROLE_DEVIATIONS: dict[tuple[str, str], str] = {
    (
        "PUT",
        "/api/v1/configuration/connector/authentication/basic",
    ): "openscc has local users of every role; each may change their own password",
}

# Where two pages list different roles for one operation: the page openscc follows, and why.
FOLLOWED_PAGE: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", "/api/v1/configuration/availableCipherSuites"): (
        "authentication-and-ui-settings-44bff8d.md",
        "the UI settings page documents the cipher suite operations together and lists every "
        "role, as every other read allows; the common properties page leaves out the Associate "
        "Administrator",
    ),
}

_VALUES = {"virtualHost": "host.example", "virtualPort": "443", "client": "100", "user": "DDIC"}


def concrete_paths(op: dict[str, str]) -> list[str]:
    """Request paths for a documented path: made-up values for its parameters."""
    path = op["path"]
    variants = [path]
    if "[/{type}]" in path:
        variants = [path.replace("[/{type}]", ""), path.replace("[/{type}]", "/{type}")]
    values = dict(_VALUES, type="idps" if "/trust/" in path else "K8S")
    return [re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x1"), v) for v in variants]


def served_by(method: str, path: str) -> Endpoint | None:
    """The endpoint the router would give this request, if any."""
    for endpoint in all_endpoints().endpoints:
        if endpoint.method == method and _pattern(endpoint.path).fullmatch(path):
            return endpoint
    return None


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        ("(.+)" if p.endswith(":path}") else "([^/]+)") if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return re.compile(regex)


def _id(op: dict[str, str]) -> str:
    return f"{op['method']} {op['path']}"


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_every_documented_operation_is_routed(op: dict[str, str]) -> None:
    if (op["method"], op["path"]) in NOT_YET:
        assert all(served_by(op["method"], p) is None for p in concrete_paths(op))
        return
    for path in concrete_paths(op):
        assert served_by(op["method"], path) is not None, f"{op['method']} {path} ({op['page']})"


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_served_operations_allow_the_documented_roles(op: dict[str, str]) -> None:
    if (op["method"], op["path"]) in NOT_YET:
        return  # its roles are checked with the issue that serves it
    endpoint = served_by(op["method"], concrete_paths(op)[0])
    assert endpoint is not None, f"not served: {_id(op)}"
    documented = {DOCUMENTED_NAMES[name] for name in op["roles"]}
    if (op["method"], op["path"]) in ROLE_DEVIATIONS:
        assert set(endpoint.roles) != documented
        return
    followed = FOLLOWED_PAGE.get((op["method"], op["path"]))
    if followed is not None and op["page"] != followed[0]:
        assert set(endpoint.roles) != documented  # the other page's list is followed
        return
    assert set(endpoint.roles) == documented, (
        f"{_id(op)}: {sorted(endpoint.roles)} instead of {sorted(documented)} ({op['page']})"
    )

"""Every operation SAP documents for Cloud Connector 2.19.1 is served, with the documented roles.

``documented-operations.json`` lists each operation (page, section, method, path, roles), made by
``scripts/documented_operations.py`` from SAP's pages. Each is routed (a concrete path with
made-up values; the router must not answer 404 or 405 for it), and the endpoint that serves it
must allow exactly the roles its page lists, but for the few deliberate differences below.
docs/compatibility.md publishes the coverage.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.documented_coverage import (
    NEEDS_SAP_BTP,
    concrete_paths,
    not_yet,
    operations,
    published_section,
    render_markdown,
    served_by,
)

from openscc.auth.roles import DOCUMENTED_NAMES

OPERATIONS = operations()
ALL_ROLES_ACCEPTED = "All roles are accepted"
NOT_YET = not_yet()
DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"

# Where openscc's roles differ from the page on purpose, and why.
ROLE_DEVIATIONS: dict[tuple[str, str], str] = {
    (
        "PUT",
        "/api/v1/configuration/connector/authentication/basic",
    ): "openscc has local users of every role; each may change their own password",
    (
        "DELETE",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/systemMappings/"
        "{virtualHost}:{virtualPort}/allowedClients/{client}",
    ): "the access-control page omits the Associate Administrator, which the system-mapping "
    "page documenting the same operation lists, as every other access-control change does",
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
    if op["roles"] == [ALL_ROLES_ACCEPTED]:
        # "All roles are accepted" and no user is needed: answered without credentials.
        assert endpoint.public, f"{_id(op)} must be public ({op['page']})"
        return
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


def test_every_operation_said_to_need_sap_btp_is_documented_and_served() -> None:
    documented = {(op["method"], op["path"]) for op in OPERATIONS}

    assert set(NEEDS_SAP_BTP) <= documented
    assert not set(NEEDS_SAP_BTP) & set(NOT_YET)


def test_the_published_coverage_is_the_code_s() -> None:
    """docs/compatibility.md holds the table computed from the endpoint table (regenerate:
    python -m scripts.documented_coverage --write docs/compatibility.md)."""
    assert published_section(DOC.read_text()) == render_markdown(), (
        "docs/compatibility.md is out of date; run: "
        "python -m scripts.documented_coverage --write docs/compatibility.md"
    )

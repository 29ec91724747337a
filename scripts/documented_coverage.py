"""Which documented operations openscc serves: the coverage table of docs/compatibility.md.

``tests/compat/documented-operations.json`` lists every operation SAP documents (made by
``scripts/documented_operations.py``). Each is matched against the endpoint table, the way the
router would match a request for it; tests/compat/test_documented_operations.py checks each one
and that the published table is the one computed here:

    python -m scripts.documented_coverage                          # print the section
    python -m scripts.documented_coverage --write docs/compatibility.md
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from scripts import doc_sections

from openscc.api.http.catalog import all_endpoints
from openscc.api.http.endpoints import Endpoint

OPERATIONS_FILE = Path(__file__).resolve().parents[1] / "tests/compat/documented-operations.json"
SECTION = "documented-coverage"

# Operations other work serves: (method, documented path) -> the reason. None may remain when that
# work is done.
NOT_YET: dict[tuple[str, str], str] = {}


def _not_yet(operations: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {
        key: why
        for key, why in NOT_YET.items()
        if key in {(o["method"], o["path"]) for o in operations}
    }


# Served, but what the real product does there needs the tunnel to SAP BTP, which openscc does
# not implement: what openscc answers instead.
NEEDS_SAP_BTP: dict[tuple[str, str], str] = {
    (
        "POST",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/trust",
    ): "`409 ILLEGAL_STATE` while the tunnel is not connected; the lists keep what a restore put "
    "there",
    (
        "PUT",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/state",
    ): "connecting reports `ConnectFailure` with the reason; disconnecting works",
    (
        "PUT",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/channels/{type}/{id}/state",
    ): "opening a channel answers `500 RUNTIME_FAILURE`, as the product does when a channel cannot "
    "open; closing works",
    (
        "GET",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/availableChannels/HANA",
    ): "`500 RUNTIME_FAILURE`: SAP BTP lists the HANA instances",
    (
        "GET",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/availableChannels/"
        "VirtualMachine",
    ): "`500 RUNTIME_FAILURE`: SAP BTP lists the virtual machines",
    (
        "POST",
        "/api/v1/configuration/subaccounts/{regionHost}/{subaccount}/channels",
    ): "`typeKey` HCPVM answers `500 RUNTIME_FAILURE`: the VM's endpoint ID comes from SAP BTP; "
    "HANA_DB and RFC work",
}

_VALUES = {
    "virtualHost": "host.example",
    "virtualPort": "443",
    "client": "100",
    "user": "DDIC",
    "id": "7",
    "index": "0",
}


def operations() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(OPERATIONS_FILE.read_text())
    return data


def not_yet() -> dict[tuple[str, str], str]:
    return _not_yet(operations())


def concrete_paths(op: dict[str, Any]) -> list[str]:
    """Request paths for a documented path: made-up values for its parameters (``[/{type}]``:
    with and without the optional segment)."""
    path = op["path"]
    variants = [path]
    if "[/{type}]" in path:
        variants = [path.replace("[/{type}]", ""), path.replace("[/{type}]", "/{type}")]
    values = dict(_VALUES, type="idps" if "/trust/" in path else "K8S")
    return [re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x1"), v) for v in variants]


def served_by(method: str, path: str) -> Endpoint | None:
    """The endpoint the router would give this request, if any (first match, as it routes)."""
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


def status_of(op: dict[str, Any], pending: dict[tuple[str, str], str]) -> str:
    key = (op["method"], op["path"])
    if key in pending:
        return f"not yet ({pending[key]})"
    if not all(served_by(op["method"], p) for p in concrete_paths(op)):
        return "not served"
    if key in NEEDS_SAP_BTP:
        return f"served; needs SAP BTP: {NEEDS_SAP_BTP[key]}"
    return "served"


def render_markdown() -> str:
    ops = operations()
    pending = _not_yet(ops)
    statuses = [status_of(op, pending) for op in ops]
    unique = {(op["method"], op["path"]) for op in ops}
    served = sum(s.startswith("served") for s in statuses)
    tunnel = sum("needs SAP BTP" in s for s in statuses)
    per_page: dict[str, Counter[str]] = {}
    for op, status in zip(ops, statuses, strict=True):
        counts = per_page.setdefault(op["page"], Counter())
        counts["documented"] += 1
        counts["served"] += status.startswith("served")
    lines = [
        (
            "Generated by `python -m scripts.documented_coverage --write docs/compatibility.md` "
            "from `tests/compat/documented-operations.json`, SAP's pages read by "
            "`scripts/documented_operations.py`; `tests/compat/test_documented_operations.py` "
            "sends each operation through the router and fails if this section differs from the "
            "code."
        ),
        "",
        (
            f"**{served} of {len(ops)} documented operations are served** ({len(unique)} distinct "
            f"method and path; some are documented on two pages). {tunnel} of them would need "
            "the tunnel to SAP BTP in the real product; openscc answers them as described below "
            "and never reports a connection that does not exist."
        ),
        "",
        "| page | documented | served |",
        "|---|--:|--:|",
    ]
    for page, counts in per_page.items():
        lines.append(f"| `{page}` | {counts['documented']} | {counts['served']} |")
    lines += ["", "| method | path | documented as | openscc |", "|---|---|---|---|"]
    for op, status in zip(ops, statuses, strict=True):
        path = op["path"].replace("|", "\\|")
        lines.append(f"| `{op['method']}` | `{path}` | {op['section']} | {status} |")
    return "\n".join(lines) + "\n"


def published_section(text: str) -> str:
    return doc_sections.published_section(text, SECTION)


def main(argv: list[str] | None = None) -> int:
    return doc_sections.main(SECTION, render_markdown, "docs/compatibility.md", argv)


if __name__ == "__main__":
    raise SystemExit(main())

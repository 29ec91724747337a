"""The authorization matrix: the answer of every endpoint, for every caller, in every instance state.

Each cell comes from the guard's own decision (``openscc.api.http.authorization.decide``): no
credentials, or wrong ones, are ``401``; a refusal by ``decide`` is ``403``; otherwise the request
reaches the handler (``allowed``, which may still answer 400, 404, ...).

tests/hardening/test_authorization_matrix.py calls every cell against the running app, and
``render_markdown`` publishes the same table in docs/api.md, so code and docs cannot drift:

    python -m scripts.authorization_matrix                    # print the docs section
    python -m scripts.authorization_matrix --write docs/api.md
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scripts import doc_sections

from openscc.api.http.authorization import decide
from openscc.api.http.catalog import all_endpoints
from openscc.api.http.endpoints import Endpoint, EndpointTable
from openscc.auth.roles import ROLE_NAMES

UNAUTHENTICATED = "401"
FORBIDDEN = "403"
ALLOWED = "allowed"

NO_CREDENTIALS = "no credentials"
WRONG_CREDENTIALS = "wrong credentials"
CALLERS: tuple[str, ...] = (NO_CREDENTIALS, WRONG_CREDENTIALS, *ROLE_NAMES)

SECTION = "authorization-matrix"


@dataclass(frozen=True, slots=True)
class InstanceState:
    """What the guard looks at besides the caller's role: the password flag and the HA role."""

    name: str
    letter: str  # its abbreviation in the published table
    initial_password: bool  # the caller has not changed the initial password yet
    ha_role: str | None


STATES: tuple[InstanceState, ...] = (
    InstanceState("before initial password change", "I", initial_password=True, ha_role=None),
    InstanceState("HA role undefined", "U", initial_password=False, ha_role=None),
    InstanceState("master", "M", initial_password=False, ha_role="master"),
    InstanceState("shadow", "S", initial_password=False, ha_role="shadow"),
)


def expected_outcome(endpoint: Endpoint, caller: str, state: InstanceState) -> str:
    """``"401"``, ``"403"`` or ``"allowed"`` for one endpoint, caller and instance state."""
    if endpoint.public:
        return ALLOWED  # credentials are not even read
    if endpoint.peer_auth:
        return UNAUTHENTICATED  # only the high-availability peer's token gets through
    if caller in (NO_CREDENTIALS, WRONG_CREDENTIALS):
        return UNAUTHENTICATED
    refusal = decide(
        endpoint, role=caller, initial_password=state.initial_password, ha_role=state.ha_role
    )
    return ALLOWED if refusal is None else FORBIDDEN


@dataclass(frozen=True, slots=True)
class Cell:
    endpoint: Endpoint
    caller: str
    state: InstanceState
    outcome: str


def matrix(table: EndpointTable | None = None) -> Iterator[Cell]:
    """Every (endpoint, caller, state) with its expected outcome, in table order."""
    for endpoint in (table or all_endpoints()).endpoints:
        for state in STATES:
            for caller in CALLERS:
                yield Cell(endpoint, caller, state, expected_outcome(endpoint, caller, state))


def _allowed_states(endpoint: Endpoint, role: str) -> str:
    letters = [s.letter for s in STATES if expected_outcome(endpoint, role, s) == ALLOWED]
    return " ".join(letters) if letters else "—"


def _unauthenticated_exceptions(endpoints: Iterable[Endpoint]) -> list[str]:
    return [
        f"`{e.method} {e.path}`"
        for e in endpoints
        if any(
            expected_outcome(e, caller, state) != UNAUTHENTICATED
            for caller in (NO_CREDENTIALS, WRONG_CREDENTIALS)
            for state in STATES
        )
    ]


def render_markdown(table: EndpointTable | None = None) -> str:
    """The docs section (between the markers, without them), one row per route and method."""
    endpoints = (table or all_endpoints()).endpoints
    cells = list(matrix(table))
    counts = {o: sum(c.outcome == o for c in cells) for o in (ALLOWED, FORBIDDEN, UNAUTHENTICATED)}
    legend = ", ".join(f"`{s.letter}` {s.name}" for s in STATES)
    exceptions = _unauthenticated_exceptions(endpoints)
    lines = [
        (
            "Generated from the endpoint table and the guard's rules by "
            "`python -m scripts.authorization_matrix --write docs/api.md`; "
            "`tests/hardening/test_authorization_matrix.py` calls every cell against the server "
            "and fails if this section differs from what the code says."
        ),
        "",
        (
            "Without credentials, or with wrong ones, every route answers `401` in every state"
            + ("." if not exceptions else f", except {', '.join(exceptions)}.")
        ),
        "",
        (
            "With valid credentials, a cell lists the instance states in which the role gets "
            f"through the checks to the endpoint ({legend}); in the others it gets "
            "`403 FORBIDDEN_REQUEST`. `—`: `403` in every state. `I` applies to a user who has not "
            "changed the initial password."
        ),
        "",
        (
            "Not in the table: the two routes that take no credentials, `POST /j_security_check` "
            "(the form login) and `GET /api/openapi.json`; and the `409` every change gets while a "
            "restore is being applied (rule 5 above)."
        ),
        "",
        (
            f"{len(endpoints)} routes and methods × {len(CALLERS)} callers × {len(STATES)} states "
            f"= {len(cells)} cells: {counts[ALLOWED]} allowed, {counts[FORBIDDEN]} `403`, "
            f"{counts[UNAUTHENTICATED]} `401`."
        ),
        "",
        "| method | path | " + " | ".join(ROLE_NAMES) + " |",
        "|---|---|" + ":-:|" * len(ROLE_NAMES),
    ]
    for endpoint in endpoints:
        roles = " | ".join(_allowed_states(endpoint, role) for role in ROLE_NAMES)
        lines.append(f"| `{endpoint.method}` | `{endpoint.path}` | {roles} |")
    return "\n".join(lines) + "\n"


def published_section(text: str) -> str:
    return doc_sections.published_section(text, SECTION)


def main(argv: list[str] | None = None) -> int:
    return doc_sections.main(SECTION, render_markdown, "docs/api.md", argv)


if __name__ == "__main__":
    raise SystemExit(main())

"""Replays the recorded traffic of a real Cloud Connector 2.19.0.2 against openscc, in process.

The recordings (go-vcr YAML of SAP's Terraform provider, vendored unmodified in
``tests/compat/recordings``; see its NOTICE) are replayed interaction by interaction, in order, each recording against a
fresh instance. Before a recording starts, the state it assumes is created through the API: every
subaccount, system mapping, resource, channel, domain mapping, proxy, certificate or trusted
certificate that the recording reads before it creates it, built from the recorded response.

Each interaction is checked for: status code, content type, presence of ``Location`` (absolute),
and the response JSON's keys and value types, recursively. Values themselves may differ (ids,
timestamps, tunnel states), except where a difference is the very point.

``TUNNEL_ONLY`` is the one list of interactions allowed to differ, each with its reason: they need
the tunnel to SAP BTP, which openscc does not implement.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from starlette.testclient import TestClient

from compat.seeding import seed_state

RECORDINGS = Path(__file__).resolve().parent / "recordings"
CONFIG = "/api/v1/configuration"

# The only interactions allowed to differ from the recording, by (method, path pattern).
TUNNEL_ONLY: dict[tuple[str, str], str] = {
    ("POST", r"^/api/v1/configuration/subaccounts/[^/]+/[^/]+/trust$"): (
        "Synchronizing the trust configuration fetches it from SAP BTP through the tunnel. The "
        "recorded connector was Connected and answered 204; openscc's tunnel never connects "
        "(ConnectFailure), so it answers 409 ILLEGAL_STATE saying so. The Terraform provider only "
        "calls this while the tunnel reports Connected, so against openscc it does not call it."
    ),
}

# Redacted request values the replay must replace with working ones.
AUTH_DATA_PLACEHOLDER = "REDACTED_SUBACCOUNT_AUTHENTICATION_DATA"
SEED_PASSWORD = "replay-seed-password"

_SUBACCOUNT = re.compile(r"^/api/v1/configuration/subaccounts/([^/]+)/([^/]+)(/.*)?$")


@dataclass
class Interaction:
    number: int
    method: str
    path: str
    request_body: str
    request_headers: dict[str, str]
    status: int
    content_type: str
    has_location: bool
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    def tunnel_reason(self) -> str | None:
        for (method, pattern), reason in TUNNEL_ONLY.items():
            if method == self.method and re.match(pattern, self.path):
                return reason
        return None


@dataclass
class Outcome:
    interaction: Interaction
    problems: list[str]
    tunnel_only: bool

    @property
    def matches(self) -> bool:
        return not self.problems


@dataclass
class RecordingResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems and not o.tunnel_only]

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> dict[str, object]:
        """What the terminal summary prints, as plain data (it travels in test reports)."""
        checked = [o for o in self.outcomes if not o.tunnel_only]
        return {
            "line": self.line(),
            "passed": self.passed,
            "matched": sum(o.matches for o in checked),
            "differ": sum(not o.matches for o in checked),
            "tunnel": len(self.outcomes) - len(checked),
        }

    def line(self) -> str:
        checked = [o for o in self.outcomes if not o.tunnel_only]
        ok = sum(o.matches for o in checked)
        tunnel = len(self.outcomes) - len(checked)
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict} {self.name}: {ok}/{len(checked)} interactions match, {tunnel} tunnel-only"
        )


def recordings_dir() -> Path:
    if not RECORDINGS.is_dir():
        raise FileNotFoundError(
            f"the recordings are missing: expected {RECORDINGS} (shared/ beside the repository)"
        )
    return RECORDINGS


def recording_files() -> list[Path]:
    return sorted(recordings_dir().rglob("*.yaml"))


def _first(headers: dict[str, list[str]] | None, name: str) -> str:
    values = (headers or {}).get(name) or [""]
    return str(values[0])


def load(path: Path) -> list[Interaction]:
    data = yaml.safe_load(path.read_text())
    out = []
    for item in data.get("interactions") or []:
        request, response = item["request"], item["response"]
        headers = request.get("headers") or {}
        out.append(
            Interaction(
                number=int(item["id"]),
                method=request["method"],
                path=urlsplit(request["url"]).path,
                request_body=request.get("body") or "",
                request_headers={
                    name: _first(headers, name)
                    for name in ("Accept", "Content-Type")
                    if name in headers
                },
                status=int(response["code"]),
                content_type=_first(response.get("headers"), "Content-Type").split(";")[0].strip(),
                has_location="Location" in (response.get("headers") or {}),
                body=response.get("body") or "",
            )
        )
    return out


# --- comparing ---------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def shape_differences(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` differs from ``recorded`` in keys or JSON types, recursively."""
    if _kind(recorded) != _kind(actual):
        return [f"{where}: {_kind(actual)} instead of {_kind(recorded)}"]
    problems: list[str] = []
    if isinstance(recorded, dict):
        missing = [k for k in recorded if k not in actual]
        extra = [k for k in actual if k not in recorded]
        if missing:
            problems.append(f"{where}: missing keys {missing}")
        if extra:
            problems.append(f"{where}: unexpected keys {extra}")
        for key in recorded:
            if key in actual:
                problems += shape_differences(recorded[key], actual[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        if len(recorded) != len(actual):
            problems.append(f"{where}: {len(actual)} items instead of {len(recorded)}")
        for i, (rec, act) in enumerate(zip(recorded, actual, strict=False)):
            problems += shape_differences(rec, act, f"{where}[{i}]")
    return problems


def compare(interaction: Interaction, response: Any, base: str) -> list[str]:
    problems = []
    if response.status_code != interaction.status:
        problems.append(
            f"status {response.status_code} instead of {interaction.status}: {response.text[:300]}"
        )
        return problems
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if content_type != interaction.content_type:
        problems.append(f"content type {content_type!r} instead of {interaction.content_type!r}")
    location = response.headers.get("location")
    if interaction.has_location != (location is not None):
        problems.append(f"Location {'missing' if location is None else 'unexpected'}")
    elif location is not None and not location.startswith(base + "/"):
        problems.append(f"Location {location!r} is not absolute")
    if interaction.content_type == "application/json" and interaction.body:
        try:
            actual = response.json()
        except ValueError:
            return [*problems, "response is not JSON"]
        recorded = interaction.json()
        problems += shape_differences(recorded, actual)
        if interaction.status >= 400 and isinstance(recorded, dict) and isinstance(actual, dict):
            # Errors: the type must be the same, and NOT_FOUND's message has a form clients parse.
            if actual.get("type") != recorded.get("type"):
                problems.append(
                    f"error type {actual.get('type')!r} instead of {recorded.get('type')!r}"
                )
            if interaction.status == 404 and actual.get("message") != recorded.get("message"):
                problems.append(
                    f"message {actual.get('message')!r} instead of {recorded.get('message')!r}"
                )
    elif interaction.body and not response.content:
        problems.append("empty body where the recording has one")
    return problems


# --- replaying ---------------------------------------------------------------------------------


def request_body(interaction: Interaction, interactions: list[Interaction]) -> bytes:
    body = interaction.request_body
    if AUTH_DATA_PLACEHOLDER in body:
        region, subaccount = _created_subaccount(interaction, interactions)
        data = base64.b64encode(
            json.dumps({"regionHost": region, "subaccount": subaccount, "user": "replay"}).encode()
        ).decode()
        body = body.replace(AUTH_DATA_PLACEHOLDER, data)
    return body.encode()


def _created_subaccount(create: Interaction, interactions: list[Interaction]) -> tuple[str, str]:
    """The subaccount a create-by-authentication-data made, as its recorded response names it."""
    if create.body:
        data = create.json()
        return data["regionHost"], data["subaccount"]
    for later in interactions:
        match = _SUBACCOUNT.match(later.path)
        if later.number > create.number and match:
            return match.group(1), match.group(2)
    raise ValueError("cannot tell which subaccount the authentication data names")


_CHANNEL = re.compile(r"^(.*/channels/[^/]+/)(\d+)(/.*)?$")


class ChannelIds:
    """Maps the channel ids of the recording to the ones openscc gave (ids are server-assigned).

    A recorded id seen for the first time is the oldest channel this replay created and has not
    mapped yet; seeded channels already carry their recorded ids.
    """

    def __init__(self) -> None:
        self.created: list[str] = []
        self.mapping: dict[str, str] = {}

    def note_created(self, path: str, location: str | None) -> None:
        if location and _CHANNEL.match(urlsplit(location).path):
            self.created.append(location.rstrip("/").rsplit("/", 1)[1])

    def translate(self, path: str) -> str:
        match = _CHANNEL.match(path)
        if not match:
            return path
        recorded = match.group(2)
        if recorded not in self.mapping and self.created:
            self.mapping[recorded] = self.created.pop(0)
        return f"{match.group(1)}{self.mapping.get(recorded, recorded)}{match.group(3) or ''}"


def replay(client: TestClient, name: str, interactions: list[Interaction]) -> RecordingResult:
    result = RecordingResult(name=name)
    result.seeds = seed_state(client, interactions)
    base = str(client.base_url).rstrip("/")
    ids = ChannelIds()
    for interaction in interactions:
        response = client.request(
            interaction.method,
            ids.translate(interaction.path),
            content=request_body(interaction, interactions) or None,
            headers=interaction.request_headers,
        )
        if response.status_code == 201:
            ids.note_created(interaction.path, response.headers.get("location"))
        problems = compare(interaction, response, base)
        result.outcomes.append(
            Outcome(
                interaction=interaction,
                problems=problems,
                tunnel_only=interaction.tunnel_reason() is not None,
            )
        )
    return result

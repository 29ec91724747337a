"""A subaccount's trust lists: the identity providers and applications it may trust.

SAP BTP owns the lists; the connector fetches them (``POST .../trust``, or automatically) and keeps
its own choice of which entries it trusts (``enabled``). openscc stores the lists a synchronization
or a restore brought, with the choices, as one entity under the subaccount; without a tunnel to
SAP BTP nothing synchronizes, so the lists hold what a restore put there, or nothing.
"""

from __future__ import annotations

from typing import Any

from openscc import kinds
from openscc.cloud import TrustLists
from openscc.config.values import Fields, Flag
from openscc.errors import NotFound
from openscc.kinds import join_key
from openscc.store.records import EntityRecord

KIND = kinds.SUBACCOUNT_TRUST
IDPS = "idps"
APPS = "apps"
TYPES = (IDPS, APPS)
_NOUNS = {IDPS: "trusted IDP", APPS: "trusted application"}
# The page promises 400 "invalid property name" for this operation (and only this one).
AUTO_SYNC_FIELDS = Fields(Flag(name="autoSyncTrustEnabled", required=True), strict=True)
ENTRY_FIELDS = Fields(Flag(name="enabled", required=True, description="whether it is trusted"))


def key(sa_key: str) -> str:
    return join_key(sa_key, KIND)


def empty() -> dict[str, list[dict[str, Any]]]:
    return {IDPS: [], APPS: []}


def merged(current: dict[str, Any], fetched: TrustLists) -> dict[str, list[dict[str, Any]]]:
    """The fetched lists with the connector's choices kept: an entry seen before keeps its
    ``enabled``; a new one is trusted, as the product trusts what it first synchronizes."""
    known = {
        (kind, entry["id"]): entry.get("enabled", True)
        for kind in TYPES
        for entry in current.get(kind, [])
    }
    return {
        kind: [
            {**entry, "enabled": known.get((kind, entry["id"]), True)}
            for entry in getattr(fetched, kind)
        ]
        for kind in TYPES
    }


def entry(body: dict[str, Any], kind: str, text: str) -> dict[str, Any]:
    """One entry by its id (the number in the path)."""
    for candidate in body.get(kind, []):
        if str(candidate["id"]) == text:
            return dict(candidate)
    raise NotFound(f"There is no {_NOUNS[kind]} with the given id {text[:64]!r}")


def with_enabled(body: dict[str, Any], kind: str, text: str, enabled: bool) -> dict[str, Any]:
    """The lists with one entry trusted or not (NotFound if it is not there)."""
    entry(body, kind, text)
    return {
        **body,
        kind: [
            {**e, "enabled": enabled} if str(e["id"]) == text else e for e in body.get(kind, [])
        ],
    }


def record(sa_key: str, body: dict[str, Any]) -> EntityRecord:
    return EntityRecord(kind=KIND, key=key(sa_key), parent=sa_key, body=body)

"""The state a recording assumes, created through the API before the recording is replayed.

A recording assumes an entity when it reads it (successfully) before writing to its collection.
Such entities are created from the recorded responses: subaccounts, system mappings, resources,
service channels (with the recorded id), domain mappings, the proxy, certificates and trusted
certificates. Nothing is written to the store directly: seeding uses the same endpoints clients do.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

from openscc.config import certs
from openscc.config.resource_ids import decode_resource_id

CONFIG = "/api/v1/configuration"
SEED_PASSWORD = "replay-seed-password"
SEED_DN = "CN=replay seed,O=openscc,C=DE"
_SA = re.compile(r"^/api/v1/configuration/subaccounts/([^/]+)/([^/]+)(?:/(.*))?$")


class SeedError(AssertionError):
    """Creating the state a recording assumes failed."""


class _Plan:
    def __init__(self) -> None:
        self.subaccounts: dict[tuple[str, str], dict[str, Any]] = {}
        self.mappings: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.resources: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.channels: dict[int, tuple[str, str, dict[str, Any]]] = {}
        self.domains: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.singletons: dict[str, Any] = {}
        self.created_subaccounts: set[tuple[str, str]] = set()
        self.written: set[str] = set()  # collections the recording itself writes to

    def subaccount(self, region: str, sa: str, body: dict[str, Any] | None = None) -> None:
        if (region, sa) not in self.created_subaccounts:
            known = self.subaccounts.setdefault((region, sa), {})
            if body and not known:
                known.update(body)

    def mapping(
        self, region: str, sa: str, mapping: str, body: dict[str, Any] | None = None
    ) -> None:
        self.subaccount(region, sa)
        known = self.mappings.setdefault((region, sa, mapping), {})
        if body and not known:
            known.update(body)


_COLLECTIONS = (
    "systemMappings",
    "resources",
    "domainMappings",
    "allowedClients",
    "blockedClientUsers",
)


def _collection(path: str) -> str:
    """The collection an item path belongs to (the path itself for a collection)."""
    parts = path.rstrip("/").split("/")
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] in _COLLECTIONS or parts[i - 1] == "channels":
            return "/".join(parts[: i + 1])
    return path


def _plan_read(plan: _Plan, it: Any) -> None:
    path, data = it.path, (it.json() if it.content_type == "application/json" and it.body else None)
    if path == f"{CONFIG}/subaccounts":
        if "POST" not in plan.written and isinstance(data, list):
            for item in data:
                plan.subaccount(
                    item["regionHost"],
                    item["subaccount"],
                    {"locationID": item.get("locationID", "")},
                )
        return
    match = _SA.match(path)
    if match:
        region, sa, rest = match.group(1), match.group(2), match.group(3) or ""
        plan.subaccount(region, sa, data if not rest and isinstance(data, dict) else None)
        _plan_subaccount_content(plan, it, region, sa, rest.split("/") if rest else [], data)
        return
    if it.method != "GET":
        return
    for name in ("proxy", "systemCertificate", "ppCaCertificate", "truststore"):
        if path.endswith(f"/{name}") and name not in plan.written:
            plan.singletons.setdefault(name, data)


def _plan_subaccount_content(
    plan: _Plan, it: Any, region: str, sa: str, rest: list[str], data: Any
) -> None:
    unwritten = _collection(it.path) not in plan.written
    if rest[:1] == ["systemMappings"]:
        if len(rest) == 1:
            if it.method == "GET" and unwritten and isinstance(data, list):
                for item in data:
                    plan.mapping(region, sa, f"{item['virtualHost']}:{item['virtualPort']}", item)
            return
        mapping = rest[1]
        mappings_collection = it.path.split("/systemMappings/")[0] + "/systemMappings"
        if mappings_collection not in plan.written:
            plan.mapping(
                region, sa, mapping, data if len(rest) == 2 and it.method == "GET" else None
            )
        if rest[2:3] == ["resources"] and it.method == "GET" and unwritten:
            items = data if isinstance(data, list) else [data] if len(rest) == 4 else []
            for item in items:
                plan.resources[(region, sa, mapping, item["id"])] = item
    elif rest[:1] == ["channels"] and it.method == "GET" and unwritten and data:
        for item in data if isinstance(data, list) else [data]:
            plan.channels[int(item["id"])] = (region, sa, item)
    elif (
        rest[:1] == ["domainMappings"]
        and it.method == "GET"
        and unwritten
        and isinstance(data, list)
    ):
        for item in data:
            plan.domains[(region, sa, item["internalDomain"])] = item


def _note_write(plan: _Plan, it: Any) -> None:
    if it.method == "POST" and it.path == f"{CONFIG}/subaccounts" and it.body:
        created = it.json()
        plan.created_subaccounts.add((created["regionHost"], created["subaccount"]))
        plan.written.add("POST")
    plan.written.add(_collection(it.path))
    for name in ("proxy", "systemCertificate", "ppCaCertificate", "truststore"):
        if it.path.endswith(f"/{name}") or f"/{name}/" in it.path:
            plan.written.add(name)


def plan_for(interactions: list[Any]) -> _Plan:
    plan = _Plan()
    for it in interactions:
        if not 200 <= it.status < 300:
            continue  # failures reveal nothing about the state assumed
        if it.method in ("POST", "PUT", "PATCH", "DELETE"):
            match = _SA.match(it.path)
            if match:
                plan.subaccount(match.group(1), match.group(2))
                rest = (match.group(3) or "").split("/")
                if rest[:1] == ["systemMappings"] and len(rest) >= 3:
                    collection = it.path.split("/systemMappings/")[0] + "/systemMappings"
                    if collection not in plan.written:
                        plan.mapping(match.group(1), match.group(2), rest[1])
            _note_write(plan, it)
        else:
            _plan_read(plan, it)
    return plan


def _ok(response: Any, what: str) -> Any:
    if not 200 <= response.status_code < 300:
        raise SeedError(f"seeding {what} failed: {response.status_code} {response.text[:300]}")
    return response


def _sa_path(region: str, sa: str) -> str:
    return f"{CONFIG}/subaccounts/{region}/{sa}"


def _without(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in names and not k.startswith("_")}


def seed_state(client: TestClient, interactions: list[Any]) -> list[str]:
    """Create what the recording assumes; returns a line per seeded entity."""
    plan, done = plan_for(interactions), []
    for (region, sa), body in plan.subaccounts.items():
        payload = {
            "regionHost": region,
            "subaccount": sa,
            "cloudUser": "replay@example.com",
            "cloudPassword": SEED_PASSWORD,
            **{k: body[k] for k in ("locationID", "displayName", "description") if k in body},
        }
        _ok(client.post(f"{CONFIG}/subaccounts", json=payload), f"subaccount {sa}")
        done.append(f"subaccount {sa}@{region}")
    for (region, sa, mapping), body in plan.mappings.items():
        host, _, port = mapping.rpartition(":")
        payload = {
            "virtualHost": host,
            "virtualPort": port,
            "localHost": host,
            "localPort": port,
            "protocol": "HTTP",
            "backendType": "abapSys",
            "authenticationMode": "NONE",
            **_without(body, "creationDate", "totalResourcesCount", "enabledResourcesCount"),
        }
        _ok(
            client.post(f"{_sa_path(region, sa)}/systemMappings", json=payload),
            f"mapping {mapping}",
        )
        done.append(f"system mapping {mapping}")
    for (region, sa, mapping, resource_id), body in plan.resources.items():
        url = f"{_sa_path(region, sa)}/systemMappings/{mapping}/resources"
        _ok(client.post(url, json=_without(body, "creationDate")), f"resource {resource_id}")
        done.append(f"resource {resource_id}")
    for number in sorted(plan.channels):
        region, sa, body = plan.channels[number]
        _seed_channel(client, region, sa, number, body)
        done.append(f"channel {body['type']} {number}")
    for (region, sa, _internal), body in plan.domains.items():
        _ok(
            client.post(f"{_sa_path(region, sa)}/domainMappings", json=_without(body)),
            "domain mapping",
        )
        done.append(f"domain mapping {body['internalDomain']}")
    done += _seed_singletons(client, plan.singletons)
    return done


def _seed_channel(
    client: TestClient, region: str, sa: str, number: int, body: dict[str, Any]
) -> None:
    """Create the channel so that it gets the recorded id (channel ids are connector-wide)."""
    url = f"{_sa_path(region, sa)}/channels/{body['type']}"
    payload = _without(body, "id", "type", "enabled")
    if body["type"] != "K8S":
        payload.pop("port", None)
    while True:
        location = _ok(client.post(url, json=payload), f"channel {number}").headers["location"]
        made = int(location.rsplit("/", 1)[1])
        if made == number:
            return
        if made > number:
            raise SeedError(f"channel id {number} cannot be reached (got {made})")
        _ok(client.delete(location), "spare channel")


def _seed_singletons(client: TestClient, singletons: dict[str, Any]) -> list[str]:
    done = []
    proxy = singletons.get("proxy")
    if proxy:
        payload = {**proxy, "password": SEED_PASSWORD} if "password" in proxy else proxy
        _ok(client.put(f"{CONFIG}/connector/proxy", json=payload), "proxy")
        done.append("proxy")
    for name in ("systemCertificate", "ppCaCertificate"):
        if singletons.get(name) is not None:
            url = f"{CONFIG}/connector/onPremise/{name}"
            _ok(client.post(url, json={"type": "selfsigned", "subjectDN": SEED_DN}), name)
            done.append(name)
    store = singletons.get("truststore")
    for number, _entry in enumerate((store or {}).get("trustedBackends", []), start=1):
        subject = x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, f"replay backend CA {number}")]
        )
        pem = certs.self_signed(subject, is_ca=True).certificate_pem
        url = f"{CONFIG}/connector/onPremise/truststore/certificates"
        _ok(
            client.post(url, files={"certificate": ("ca.pem", pem, "application/x-pem-file")}),
            "trusted certificate",
        )
        done.append(f"trusted certificate {number}")
    return done


__all__ = ["SeedError", "decode_resource_id", "json", "seed_state"]

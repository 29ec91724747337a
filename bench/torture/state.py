"""What a torture run changes and reads back, as registers: ``description``, one key per system
mapping (``mapping/<subaccount>/<virtual host>``: its description, or absent) and one per user
of ``openscc users`` (``user/<name>``: the password that opens it, or absent)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.torture.history import ABSENT
from openscc import __version__
from openscc.auth.passwords import Passwords
from openscc.backup.archive import read_archive
from openscc.instance import open_instance
from openscc.settings import Settings

CONFIG = "/api/v1/configuration"
CONNECTOR = f"{CONFIG}/connector"
REGION = "cf.eu10.hana.ondemand.com"
SUBACCOUNTS = ("70a70a70-0000-4000-8000-000000000001", "70a70a70-0000-4000-8000-000000000002")
VIRTUAL_HOSTS = ("erp", "crm", "hr", "bw")
USERS = ("ops1", "ops2", "ops3")
BACKUP_PASSWORD = "Torture-backup-pw"
UNKNOWN_PASSWORD = "<a password nobody set>"
_PASSWORDS = Passwords("test")


def mapping_key(subaccount: str, host: str) -> str:
    return f"mapping/{subaccount}/{host}"


def user_key(name: str) -> str:
    return f"user/{name}"


def mappings_path(subaccount: str) -> str:
    return f"{CONFIG}/subaccounts/{REGION}/{subaccount}/systemMappings"


def mapping_body(host: str, description: str) -> dict[str, Any]:
    return {"virtualHost": host, "virtualPort": "443", "localHost": f"{host}.internal",
            "localPort": "443", "protocol": "HTTPS", "backendType": "abapSys",
            "authenticationMode": "NONE", "description": description}  # fmt: skip


def create_subaccounts(http: httpx.Client) -> None:
    for subaccount in SUBACCOUNTS:
        answer = http.post(f"{CONFIG}/subaccounts", json={
            "regionHost": REGION, "subaccount": subaccount, "cloudUser": "torture@example.com",
            "cloudPassword": "Cl0ud-Pa55word!"})  # fmt: skip
        answer.raise_for_status()


@dataclass(frozen=True)
class Archive:
    content: bytes
    values: dict[str, str]  # the registers as the archive holds them


def _which_password(stored_hash: str, candidates: list[str]) -> str:
    for candidate in reversed(candidates):
        if _PASSWORDS.verify(stored_hash, candidate):
            return candidate
    return UNKNOWN_PASSWORD


def read_archive_values(content: bytes, passwords: dict[str, list[str]]) -> dict[str, str]:
    reader = read_archive(io.BytesIO(content), password=BACKUP_PASSWORD,
                          product_version=__version__)  # fmt: skip
    values: dict[str, str] = {}
    for record in reader.records():
        if record.kind == "connector":
            values["description"] = str(record.body.get("description", ""))
        elif record.kind == "systemMapping" and record.parent is not None:
            subaccount = record.parent.split("\x1f")[-1]
            values[mapping_key(subaccount, record.body["virtualHost"])] = str(
                record.body.get("description", "")
            )
        elif record.kind == "user" and record.key in passwords and record.secret is not None:
            values[user_key(record.key)] = _which_password(
                record.secret["passwordHash"], passwords[record.key]
            )
    return values


def read_state(
    http: httpx.Client, data_dir: Path, passwords: dict[str, list[str]]
) -> dict[str, str]:
    """The registers as the running server has them: over the API, and the users' password
    hashes from the data directory (a logon per candidate would run into the lockout)."""
    values = {"description": str(_ok(http.get(CONNECTOR)).json().get("description", ""))}
    for subaccount in SUBACCOUNTS:
        for mapping in _ok(http.get(mappings_path(subaccount))).json():
            values[mapping_key(subaccount, mapping["virtualHost"])] = mapping.get("description", "")
    instance = open_instance(Settings(data_dir=data_dir, kdf_profile="test"))
    try:
        for name in USERS:
            known = instance.users.find_with_hash(name)
            if known is not None:
                values[user_key(name)] = _which_password(known[1], passwords[name])
    finally:
        instance.close()
    return {k: v for k, v in values.items() if v != ABSENT}


def _ok(answer: httpx.Response) -> httpx.Response:
    answer.raise_for_status()
    return answer

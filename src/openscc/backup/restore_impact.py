"""What a restore changes for the person at the keyboard: the certificate their browser trusts,
and whether their own user and password still work afterwards. Pure: the caller reads the
records and checks the password.

A restore of another instance's backup brings that instance's UI certificate (a browser that
trusted today's certificate then refuses the connector after the restart) and that instance's
users and password hashes (the administrator's own password may stop working). The dry run says
both beforehand, in ``forYou``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cryptography import x509

from openscc import kinds
from openscc.config import certs
from openscc.store.records import EntityRecord


def certificate_facts(pem: str) -> dict[str, Any]:
    """SHA-256 fingerprint (colon-separated hex pairs, as browsers show it) and host names."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return {
        "sha256": certs.fingerprint(cert),
        "hosts": sorted(certs.host_names(cert)),
    }


def _ui_pem(records: Iterable[EntityRecord]) -> str | None:
    for record in records:
        if record.kind == kinds.UI_CERTIFICATE:
            return str(record.body["certificatePem"])
    return None


def _user(records: Iterable[EntityRecord], name: str) -> EntityRecord | None:
    for record in records:
        if record.kind == kinds.USER and record.key == name:
            return record
    return None


def impact(
    current: list[EntityRecord],
    restored: list[EntityRecord],
    caller: str | None,
    password_opens: Callable[[str], bool] | None,
) -> dict[str, Any]:
    """``current`` and ``restored``: the UI certificate and user records of today's and the
    backup's configuration (others are ignored). ``password_opens(hash)``: whether the caller's
    own password (given with the dry run) matches a stored hash; None if it was not given."""
    out: dict[str, Any] = {}
    now_pem, then_pem = _ui_pem(current), _ui_pem(restored)
    if then_pem is not None:
        now = certificate_facts(now_pem) if now_pem is not None else None
        then = certificate_facts(then_pem)
        out["uiCertificate"] = {
            "changes": now is None or now["sha256"] != then["sha256"],
            "hostsChange": now is None or now["hosts"] != then["hosts"],
            "current": now,
            "backup": then,
        }
    if caller is not None:
        mine_now, mine_then = _user(current, caller), _user(restored, caller)
        users: dict[str, Any] = {
            "you": caller,
            "local": mine_now is not None,
            "inBackup": mine_then is not None,
            "roleInBackup": mine_then.body.get("role") if mine_then is not None else None,
            "passwordWorks": None,
        }
        stored = (mine_then.secret or {}).get("passwordHash") if mine_then is not None else None
        if mine_now is not None and stored is not None and password_opens is not None:
            users["passwordWorks"] = password_opens(str(stored))
        elif mine_now is not None and mine_then is None:
            users["passwordWorks"] = False
        out["users"] = users
    return out

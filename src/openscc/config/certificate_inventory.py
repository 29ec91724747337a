"""Every certificate openscc holds, each with its role (the monitoring API's certificate types,
and openscc's own two for the trust stores).

The connector's own (UI, system, principal-propagation CA), each subaccount's, and those of the
back-end and e-mail trust stores. ``held_certificates`` reads the store: call it in the store
thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from openscc import kinds
from openscc.store.entities import EntityStore

UI = "UI"
SYSTEM = "System"
CA = "CA"  # the principal-propagation CA
SUBACCOUNT = "subaccount"
TRUSTED_BACKEND = "TrustedBackend"
TRUSTED_EMAIL_SERVER = "TrustedEmailServer"
ROLES = (UI, SYSTEM, CA, SUBACCOUNT, TRUSTED_BACKEND, TRUSTED_EMAIL_SERVER)
# openscc's own roles, beyond the four the monitoring page documents.
TRUST_STORE_ROLES = (TRUSTED_BACKEND, TRUSTED_EMAIL_SERVER)

_SLOTS = (
    (kinds.UI_CERTIFICATE, UI, "UI certificate"),
    (kinds.SYSTEM_CERTIFICATE, SYSTEM, "System certificate"),
    (kinds.PP_CA_CERTIFICATE, CA, "Principal propagation CA certificate"),
)
_STORES = (
    (kinds.TRUSTED_BACKEND, TRUSTED_BACKEND, "Trusted back-end certificate"),
    (kinds.TRUSTED_EMAIL_SERVER, TRUSTED_EMAIL_SERVER, "Trusted e-mail certificate"),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Held:
    """A certificate openscc holds: its role, what names it among others of its role (a
    subaccount, a trust store alias; empty for the connector's own), its label and its PEM."""

    role: str
    entity: str
    label: str
    pem: str
    # A subaccount certificate's subaccount and region host (empty for the others).
    subaccount: str = ""
    region_host: str = ""


def held_certificates(store: EntityStore) -> list[Held]:
    held = []
    for kind, role, label in _SLOTS:
        record = store.get(kind, kinds.SINGLETON_KEY)
        if record is not None:
            held.append(Held(role=role, entity="", label=label, pem=record.body["certificatePem"]))
    for record in store.children(kinds.SUBACCOUNT, None):
        body = record.body
        name = f"{body['subaccount']}@{body['regionHost']}"
        display = body.get("displayName") or body["subaccount"]
        held.append(
            Held(
                role=SUBACCOUNT,
                entity=name,
                label=f"Certificate of subaccount {display} ({name})",
                pem=body["certificatePem"],
                subaccount=body["subaccount"],
                region_host=body["regionHost"],
            )
        )
    for kind, role, label in _STORES:
        for record in store.children(kind, None):
            held.append(
                Held(
                    role=role,
                    entity=record.key,
                    label=f"{label} {record.key}",
                    pem=record.body["certificatePem"],
                )
            )
    return held

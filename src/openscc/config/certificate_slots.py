"""The connector's own certificates (UI, system, principal propagation CA) as entities.

Each slot is one entity: the certificate in the body, its private key only in the secret. A
certificate signing request waits, with its new key, in a pending entity until the signed
certificate comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openscc import kinds
from openscc.config import certs
from openscc.config.values import AnyCaseChoice, Fields, Number, Structured, Text
from openscc.errors import InvalidRequest, NotFound
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord


@dataclass(frozen=True, kw_only=True, slots=True)
class Slot:
    kind: str
    label: str  # for messages
    file_name: str  # of the binary download
    is_ca: bool
    deletable: bool


UI = Slot(
    kind=kinds.UI_CERTIFICATE,
    label="UI certificate",
    file_name="ui_certificate.der",
    is_ca=False,
    deletable=False,
)
SYSTEM = Slot(
    kind=kinds.SYSTEM_CERTIFICATE,
    label="System certificate",
    file_name="system_certificate.der",
    is_ca=False,
    deletable=True,
)
PP_CA = Slot(
    kind=kinds.PP_CA_CERTIFICATE,
    label="Principal propagation CA certificate",
    file_name="ca_certificate.der",
    is_ca=True,
    deletable=True,
)


def current(store: EntityStore, slot: Slot) -> EntityRecord:
    record = store.get(slot.kind, kinds.SINGLETON_KEY)
    if record is None:
        raise NotFound(f"{slot.label} does not exist")
    return record


def install(store: EntityStore, slot: Slot, pair: certs.KeyPair) -> None:
    store.put(
        EntityRecord(
            kind=slot.kind,
            key=kinds.SINGLETON_KEY,
            parent=None,
            body={"certificatePem": pair.certificate_pem},
            secret={"privateKeyPem": pair.private_key_pem},
        )
    )


_ALT_NAME_TYPES = ("DNS", "IP", "RFC822", "URI")


def _alt_names(value: Any, name: str) -> list[dict[str, str]]:
    """Checked before a key is made for them; an IP address's form, as the certificate is."""
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise InvalidRequest(f"{name} must be an array of {{type, value}}")
    for alt in value:
        if not isinstance(alt.get("value"), str) or not alt["value"]:
            raise InvalidRequest(f"every {name} entry needs a value")
        if alt.get("type") not in _ALT_NAME_TYPES:
            raise InvalidRequest(f"{name} type must be DNS, IP, RFC822 or URI")
    return value


GENERATION_FIELDS = Fields(
    AnyCaseChoice(name="type", required=True, values=("selfsigned", "csr")),
    Number(name="keySize", default=2048, minimum=1024, maximum=8192, description="2048 or 4096"),
    Text(name="subjectDN", required=True, max_length=2048, description="e.g. CN=host,O=org,C=DE"),
    Structured(
        name="subjectAltNames",
        json_schema={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": list(_ALT_NAME_TYPES)},
                    "value": {"type": "string", "minLength": 1},
                },
                "required": ["type", "value"],
            },
        },
        parser=_alt_names,
    ),
)


def parse_generation(data: dict[str, Any]) -> tuple[str, Any, int, list[dict[str, str]]]:
    """(type, subject Name, key size, alt names) of a POST: selfsigned or csr."""
    values = GENERATION_FIELDS.read(data)
    subject = certs.parse_dn(values["subjectDN"])
    return values["type"], subject, values["keySize"], values["subjectAltNames"] or []


def save_pending(store: EntityStore, slot: Slot, csr_pem: str, key_pem: str) -> None:
    store.put(
        EntityRecord(
            kind=kinds.PENDING_CSR,
            key=slot.kind,
            parent=None,
            body={"csrPem": csr_pem},
            secret={"privateKeyPem": key_pem},
        )
    )


def take_pending_key(store: EntityStore, slot: Slot) -> str:
    record = store.get(kinds.PENDING_CSR, slot.kind, with_secret=True)
    if record is None or not record.secret:
        raise InvalidRequest(f"no certificate signing request is pending for the {slot.label}")
    return str(record.secret["privateKeyPem"])


def clear_pending(store: EntityStore, slot: Slot) -> None:
    store.delete(kinds.PENDING_CSR, slot.kind)

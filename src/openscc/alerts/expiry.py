"""Which certificates openscc holds, and which of them expire soon: decisions without I/O.

``held_certificates`` reads the store (call it in the store thread); ``findings`` decides, from
the certificates, the time and the alerting configuration's ``certificateValidityDays``, which
alerts are in force: Error for an expired certificate, Warning for one that expires in fewer
than that many days (the monitoring API's "expiring").
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from cryptography import x509

from openscc.alerts.model import (
    CA_CERTIFICATE,
    EMAIL_TRUSTSTORE_CERTIFICATE,
    ERROR,
    SUBACCOUNT_CERTIFICATE,
    SYSTEM_CERTIFICATE,
    TRUSTSTORE_CERTIFICATE,
    UI_CERTIFICATE,
    WARNING,
)
from openscc.config import certs, kinds
from openscc.logsafe import shown
from openscc.store.entities import EntityStore

logger = logging.getLogger("openscc.alerts")

_SLOTS = (
    (kinds.UI_CERTIFICATE, UI_CERTIFICATE, "UI certificate"),
    (kinds.SYSTEM_CERTIFICATE, SYSTEM_CERTIFICATE, "System certificate"),
    (kinds.PP_CA_CERTIFICATE, CA_CERTIFICATE, "Principal propagation CA certificate"),
)
_STORES = (
    (kinds.TRUSTED_BACKEND, TRUSTSTORE_CERTIFICATE, "Trusted back-end certificate"),
    (kinds.TRUSTED_EMAIL_SERVER, EMAIL_TRUSTSTORE_CERTIFICATE, "Trusted e-mail certificate"),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Held:
    """A certificate openscc holds: the alert type and entity it would raise, and its name."""

    type: str
    entity: str
    label: str
    pem: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    type: str
    entity: str
    status: str
    message: str


def held_certificates(store: EntityStore) -> list[Held]:
    held = []
    for kind, alert_type, label in _SLOTS:
        record = store.get(kind, kinds.SINGLETON_KEY)
        if record is not None:
            held.append(
                Held(type=alert_type, entity="", label=label, pem=record.body["certificatePem"])
            )
    for record in store.children(kinds.SUBACCOUNT, None):
        body = record.body
        name = f"{body['subaccount']}@{body['regionHost']}"
        display = body.get("displayName") or body["subaccount"]
        held.append(
            Held(
                type=SUBACCOUNT_CERTIFICATE,
                entity=name,
                label=f"Certificate of subaccount {display} ({name})",
                pem=body["certificatePem"],
            )
        )
    for kind, alert_type, label in _STORES:
        for record in store.children(kind, None):
            held.append(
                Held(
                    type=alert_type,
                    entity=record.key,
                    label=f"{label} {record.key}",
                    pem=record.body["certificatePem"],
                )
            )
    return held


def findings(held: list[Held], now: dt.datetime, days: int) -> list[Finding]:
    """The alerts in force for ``held`` at ``now``."""
    out = []
    horizon = now + dt.timedelta(days=days)
    for item in held:
        try:
            cert = certs.load_certificate(item.pem)
        except ValueError:
            logger.warning("the %s cannot be read; its expiry is not checked", shown(item.label))
            continue
        expires = cert.not_valid_after_utc
        if expires <= now:
            status, verb = ERROR, "expired"
        elif expires < horizon:
            status, verb = WARNING, "expires"
        else:
            continue
        out.append(
            Finding(
                type=item.type,
                entity=item.entity,
                status=status,
                message=f"{item.label} ({_names(cert)}) {verb} {expires:%Y-%m-%d %H:%M:%S %z}"
                + ("" if status == ERROR else "; renew or replace it before then"),
            )
        )
    return out


def _names(cert: x509.Certificate) -> str:
    return f"'{certs.dn_text(cert.subject)}' issued by '{certs.dn_text(cert.issuer)}'"

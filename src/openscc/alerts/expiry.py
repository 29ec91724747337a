"""Which of the certificates openscc holds expire soon: decisions without I/O.

``findings`` decides, from the certificates (``openscc.config.certificate_inventory``), the time
and the alerting configuration's ``certificateValidityDays``, which alerts are in force: Error for
an expired certificate, Warning for one that expires in fewer than that many days (the
monitoring API's "expiring").
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
from openscc.config import certificate_inventory as inventory
from openscc.config import certs
from openscc.config.certificate_inventory import Held
from openscc.logsafe import shown

logger = logging.getLogger("openscc.alerts")

# The alert each role of certificate raises.
ALERT_TYPES = {
    inventory.UI: UI_CERTIFICATE,
    inventory.SYSTEM: SYSTEM_CERTIFICATE,
    inventory.CA: CA_CERTIFICATE,
    inventory.SUBACCOUNT: SUBACCOUNT_CERTIFICATE,
    inventory.TRUSTED_BACKEND: TRUSTSTORE_CERTIFICATE,
    inventory.TRUSTED_EMAIL_SERVER: EMAIL_TRUSTSTORE_CERTIFICATE,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    type: str
    entity: str
    status: str
    message: str


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
                type=ALERT_TYPES[item.role],
                entity=item.entity,
                status=status,
                message=f"{item.label} ({_names(cert)}) {verb} {expires:%Y-%m-%d %H:%M:%S %z}"
                + ("" if status == ERROR else "; renew or replace it before then"),
            )
        )
    return out


def _names(cert: x509.Certificate) -> str:
    return f"'{certs.dn_text(cert.subject)}' issued by '{certs.dn_text(cert.issuer)}'"

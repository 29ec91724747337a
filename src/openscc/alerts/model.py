"""What an alert is, the kinds of alerts, and the book of alerts in force: pure, no I/O.

An alert has the shape of the product's monitoring API (``/api/monitoring/alerts``): timestamp,
status, type, origin, message, entity. As the product does, the same alert is not repeated while
it is in force; a newer alert of the same type and entity replaces the older one, and resolving
an alert replaces it with an informational one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "Error"
WARNING = "Warning"
INFO = "Info"
STATUSES = (ERROR, WARNING, INFO)

MASTER = "Master"
SHADOW = "Shadow"

# How many alerts are kept (in memory and in the database: openscc.alerts.kept).
MAX_KEPT = 500


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the alert's ``type``
    title: str  # the e-mail's subject
    # The alerting configuration's notification category that decides whether it is e-mailed;
    # None for openscc's own alerts, which no documented category covers: always e-mailed.
    category: str | None


BACKUP = "Backup"
SCHEDULED_BACKUP = "ScheduledBackup"
# An alert e-mail could not be sent: shown by the monitoring API and /metrics, never e-mailed
# itself (the way it would go is the one that fails).
ALERT_EMAIL = "AlertEmail"
RESTORE = "Restore"
HA = "HA"
UI_CERTIFICATE = "UICertificate"
SYSTEM_CERTIFICATE = "SystemCertificate"
CA_CERTIFICATE = "CACertificate"
SUBACCOUNT_CERTIFICATE = "SubaccountCertificate"
TRUSTSTORE_CERTIFICATE = "TrustStoreCertificate"
EMAIL_TRUSTSTORE_CERTIFICATE = "EmailTrustStoreCertificate"

KINDS = {
    kind.name: kind
    for kind in (
        Kind(BACKUP, "Backup failed", None),
        Kind(SCHEDULED_BACKUP, "Scheduled backup failed", None),
        Kind(ALERT_EMAIL, "Alert e-mail failed", None),
        Kind(RESTORE, "Restore failed", None),
        Kind(HA, "High availability", "ha"),
        Kind("CPU", "CPU load", "CPU"),
        Kind("Disk", "Free disk space", "freeDiskSpace"),
        # The product's kinds that need what openscc does not have (the tunnel to SAP BTP, the
        # troubleshooting diagnoses): known, but nothing in openscc raises them.
        Kind("Tunnel", "Tunnel to SAP BTP", "tunnels"),
        Kind("ServiceChannel", "Service channel", "serviceChannels"),
        Kind("Troubleshooting", "New troubleshooting diagnosis", "troubleshooting"),
        Kind(UI_CERTIFICATE, "UI certificate expires", "certificates"),
        Kind(SYSTEM_CERTIFICATE, "System certificate expires", "certificates"),
        Kind(CA_CERTIFICATE, "Principal propagation CA certificate expires", "certificates"),
        Kind(SUBACCOUNT_CERTIFICATE, "Subaccount certificate expires", "certificates"),
        Kind(TRUSTSTORE_CERTIFICATE, "Trusted back-end certificate expires", "certificates"),
        Kind(EMAIL_TRUSTSTORE_CERTIFICATE, "Trusted e-mail certificate expires", "certificates"),
    )
}
CERTIFICATE_KINDS = frozenset(
    name for name, kind in KINDS.items() if kind.category == "certificates"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Alert:
    timestamp: int  # epoch milliseconds
    status: str
    type: str
    origin: str
    message: str
    entity: str = ""  # tells alerts of one type apart (an alias, a subaccount); else empty

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.entity)

    def to_json(self) -> dict[str, object]:
        """The monitoring API's shape of an alert."""
        return {
            "timestamp": self.timestamp,
            "status": self.status,
            "type": self.type,
            "origin": self.origin,
            "message": self.message,
            "entity": self.entity,
        }


def kind_of(name: str) -> Kind:
    """The kind called ``name``; ValueError for an unknown one (a programming error)."""
    kind = KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown kind of alert {name!r}; known: {', '.join(KINDS)}")
    return kind


def origin_of(ha_role: str | None) -> str:
    """The alert's origin from the instance's HA role (an instance without one is a master)."""
    return SHADOW if ha_role == "shadow" else MASTER


class AlertBook:
    """The alerts in force, one per (type, entity), the most recent ``capacity`` of them.

    Not thread-safe: the service holds a lock around it.
    """

    def __init__(self, capacity: int = MAX_KEPT, kept: Iterable[Alert] = ()) -> None:
        """``kept``: the alerts kept before (oldest first), as they were."""
        self._capacity = capacity
        self._alerts: OrderedDict[tuple[str, str], Alert] = OrderedDict()  # oldest first
        for alert in kept:
            self._alerts.pop(alert.key, None)
            self._alerts[alert.key] = alert
        while len(self._alerts) > self._capacity:
            self._alerts.popitem(last=False)

    def record(self, alert: Alert) -> bool:
        """Keep ``alert`` in place of the alert of its key. False, and nothing changes, if it
        repeats the alert in force (same status and message): that one is not sent again."""
        old = self._alerts.get(alert.key)
        if old is not None and (old.status, old.message) == (alert.status, alert.message):
            return False
        self._alerts.pop(alert.key, None)
        self._alerts[alert.key] = alert
        while len(self._alerts) > self._capacity:
            self._alerts.popitem(last=False)
        return True

    def unresolved(self, types: Iterable[str]) -> set[tuple[str, str]]:
        """The keys of the alerts of ``types`` in force that are not resolved."""
        wanted = set(types)
        return {
            key for key, alert in self._alerts.items() if key[0] in wanted and alert.status != INFO
        }

    def is_unresolved(self, key: tuple[str, str]) -> bool:
        alert = self._alerts.get(key)
        return alert is not None and alert.status != INFO

    def recent(self) -> list[Alert]:
        """The alerts kept, oldest first (as the product's monitoring lists them)."""
        return list(self._alerts.values())

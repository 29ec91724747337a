"""Every kind of configuration entity, declared once: its name, where it lives (its key and
parent), whether a shadow receives it or it is each instance's own, its secret fields, and what
checks an archive's entity of it before a restore stores it.

What is derived from here, and nowhere declared again: ``ENTITY_KINDS`` (what a backup carries
and a restore accepts), ``LOCAL_KINDS`` (what replication leaves alone), ``SUBACCOUNT_KINDS``
(what a partial restore takes), the key checks of restores and of a master's snapshot
(``key_problem``), the restore validators (openscc.backup.content), the table of kinds in
docs/backup-format.md (``python -m scripts.docs``) and the test that populates every kind.

Keys are hierarchical (``join_key``): deleting a subaccount's key subtree removes its mappings,
resources, domain mappings and channels with it. The bottom layer: this module imports nothing
of openscc (validators are named, and resolved where a restore checks).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Protocol


class Keyed(Protocol):
    """What the key checks read of an entity (openscc.store.records.EntityRecord is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def body(self) -> dict[str, Any]: ...


# Separates the parts of hierarchical keys ("region", "subaccount", "vhost:port", ...). It cannot
# occur in a host name, an id or a URL path, so a key prefix selects exactly one subtree.
KEY_SEPARATOR = "\x1f"
SINGLETON_KEY = "connector"  # the key of connector-wide singletons (proxy, certificates, ...)


def join_key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


class Scope(enum.Enum):
    SINGLETON = "one per instance (key `connector`)"
    NAMED = "top-level, keyed by a name the API gives"
    COUNTER = "a counter of numbers given out, keyed by what it numbers"
    CERTIFICATE_SLOT = "one per certificate slot, keyed by the slot"
    SUBACCOUNT = "a subaccount, keyed by its region and id"
    OF_SUBACCOUNT = "one per subaccount, below it"
    NUMBERED_IN_SUBACCOUNT = "below a subaccount, numbered"
    MAPPING = "a system mapping, below its subaccount, keyed by its virtual host and port"
    RESOURCE = "below a system mapping, keyed by its id"


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    scope: Scope
    group: str  # how docs/backup-format.md groups it
    replicated: bool = True  # False: each instance's own (a shadow keeps its own)
    secrets: tuple[str, ...] = ()  # the fields of its secret, if any
    # "module:function" checking an archive's entity of this kind (raises ValueError why not).
    validator: str | None = None
    name_pattern: str | None = None  # Scope.NAMED: the names the API gives


CONNECTOR = "connector"
USER = "user"
UI_CERTIFICATE = "uiCertificate"
SEQUENCE = "sequence"
SUBACCOUNT = "subaccount"
SUBACCOUNT_TRUST = "subaccountTrust"
SUBACCOUNT_TRACE = "subaccountTrace"
SUBACCOUNT_AUDIT_LOG = "subaccountAuditLog"
SYSTEM_MAPPING = "systemMapping"
RESOURCE = "systemMappingResource"
DOMAIN_MAPPING = "domainMapping"
CHANNEL = "serviceChannel"
SYSTEM_CERTIFICATE = "systemCertificate"
PP_CA_CERTIFICATE = "ppCaCertificate"
PENDING_CSR = "certificateSigningRequest"
TRUSTSTORE = "truststore"
TRUSTED_BACKEND = "trustedBackend"
SUBJECT_PATTERN_RULES = "subjectPatternRules"
PROXY = "proxy"
UI_CIPHER_SUITES = "uiCipherSuites"
LOG_AND_TRACE = "logAndTrace"
AUDIT_LOG = "auditLog"
PP_SETTINGS = "ppSettings"
SOLUTION_MANAGEMENT = "solutionManagement"
ALERTING = "alerting"
EMAIL = "email"
TRUSTED_EMAIL_SERVER = "trustedEmailServer"
LDAP_SETTINGS = "ldapAuthentication"
LDAP_SERVER = "ldapServer"
HA_MASTER_CONFIG = "haMasterConfig"
HA_SHADOW_CONFIG = "haShadowConfig"
BACKUP_SCHEDULE = "backupSchedule"  # openscc's own

_INSTANCE, _SUBACCOUNTS = "instance", "subaccounts"
_CERTIFICATES, _SETTINGS = "certificates and trust", "connector-wide settings"
_ALERTING, _USERS = "alerting", "user administration"
_HA, _OPERATIONS = (
    "high availability (this instance's settings)",
    "backup operations (openscc's own)",
)
_KEY = ("privateKeyPem",)
_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(CONNECTOR, Scope.SINGLETON, _INSTANCE,
             validator="openscc.config.connector_state:check_archived"),
        Kind(USER, Scope.NAMED, _INSTANCE, replicated=False, secrets=("passwordHash",),
             validator="openscc.auth.users:check_archived",
             name_pattern=r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"),
        Kind(UI_CERTIFICATE, Scope.SINGLETON, _INSTANCE, replicated=False, secrets=_KEY,
             validator="openscc.config.key_pairs:check_archived_key_pair"),
        Kind(SEQUENCE, Scope.COUNTER, _INSTANCE),
        Kind(SUBACCOUNT, Scope.SUBACCOUNT, _SUBACCOUNTS,
             secrets=("privateKeyPem", "cloudPassword", "authenticationData")),
        Kind(SUBACCOUNT_TRUST, Scope.OF_SUBACCOUNT, _SUBACCOUNTS),
        Kind(SUBACCOUNT_TRACE, Scope.OF_SUBACCOUNT, _SUBACCOUNTS, replicated=False),
        Kind(SUBACCOUNT_AUDIT_LOG, Scope.OF_SUBACCOUNT, _SUBACCOUNTS),
        Kind(SYSTEM_MAPPING, Scope.MAPPING, _SUBACCOUNTS),
        Kind(RESOURCE, Scope.RESOURCE, _SUBACCOUNTS),
        Kind(DOMAIN_MAPPING, Scope.NUMBERED_IN_SUBACCOUNT, _SUBACCOUNTS),
        Kind(CHANNEL, Scope.NUMBERED_IN_SUBACCOUNT, _SUBACCOUNTS),
        Kind(SYSTEM_CERTIFICATE, Scope.SINGLETON, _CERTIFICATES, secrets=_KEY),
        Kind(PP_CA_CERTIFICATE, Scope.SINGLETON, _CERTIFICATES, secrets=_KEY),
        Kind(PENDING_CSR, Scope.CERTIFICATE_SLOT, _CERTIFICATES, secrets=_KEY),
        Kind(TRUSTSTORE, Scope.SINGLETON, _CERTIFICATES),
        Kind(TRUSTED_BACKEND, Scope.NAMED, _CERTIFICATES,
             name_pattern=r"trustedbackend\.[0-9]{1,9}\.[0-9]{1,9}"),
        Kind(SUBJECT_PATTERN_RULES, Scope.SINGLETON, _CERTIFICATES),
        Kind(PROXY, Scope.SINGLETON, _SETTINGS, secrets=("password",)),
        Kind(UI_CIPHER_SUITES, Scope.SINGLETON, _SETTINGS, replicated=False),
        Kind(LOG_AND_TRACE, Scope.SINGLETON, _SETTINGS, replicated=False),
        Kind(AUDIT_LOG, Scope.SINGLETON, _SETTINGS),
        Kind(PP_SETTINGS, Scope.SINGLETON, _SETTINGS),
        Kind(SOLUTION_MANAGEMENT, Scope.SINGLETON, _SETTINGS),
        Kind(ALERTING, Scope.SINGLETON, _ALERTING),
        Kind(EMAIL, Scope.SINGLETON, _ALERTING, secrets=("smtpPassword",)),
        Kind(TRUSTED_EMAIL_SERVER, Scope.NAMED, _ALERTING,
             name_pattern=r"trustedemailserver\.[0-9]{1,9}\.[0-9]{1,9}"),
        Kind(LDAP_SETTINGS, Scope.SINGLETON, _USERS, replicated=False,
             validator="openscc.auth.ldap.store:check_archived_settings"),
        Kind(LDAP_SERVER, Scope.NAMED, _USERS, replicated=False, secrets=("password",),
             validator="openscc.auth.ldap.store:check_archived_server",
             name_pattern=r"[0-9]{1,9}"),
        Kind(HA_MASTER_CONFIG, Scope.SINGLETON, _HA, replicated=False),
        Kind(HA_SHADOW_CONFIG, Scope.SINGLETON, _HA, replicated=False),
        Kind(BACKUP_SCHEDULE, Scope.NAMED, _OPERATIONS,
             secrets=("password", "accessKeyId", "secretAccessKey", "accessKey", "sasToken",
                      "sourcePassword"), name_pattern=_NAME),
    )
}  # fmt: skip

ENTITY_KINDS = frozenset(KINDS)
LOCAL_KINDS = frozenset(name for name, kind in KINDS.items() if not kind.replicated)
SINGLETON_KINDS = frozenset(n for n, k in KINDS.items() if k.scope is Scope.SINGLETON)
_IN_SUBACCOUNT = (
    Scope.SUBACCOUNT, Scope.OF_SUBACCOUNT, Scope.NUMBERED_IN_SUBACCOUNT, Scope.MAPPING,
    Scope.RESOURCE,
)  # fmt: skip
# What a subaccount owns, below its key: what a partial restore of it takes, and nothing else.
SUBACCOUNT_KINDS = frozenset(n for n, k in KINDS.items() if k.scope in _IN_SUBACCOUNT)
# Counters of numbers given out (openscc.config.sequences), keyed by what they number.
COUNTERS = frozenset({DOMAIN_MAPPING, CHANNEL, TRUSTED_BACKEND, TRUSTED_EMAIL_SERVER, LDAP_SERVER})
CERTIFICATE_SLOTS = frozenset({UI_CERTIFICATE, SYSTEM_CERTIFICATE, PP_CA_CERTIFICATE})


def is_replicated(kind: str, key: str) -> bool:
    """Whether the entity (kind, key) is the master's configuration, which a shadow receives."""
    if kind in LOCAL_KINDS:
        return False
    # A pending signing request of the UI certificate belongs to that instance's listener.
    return not (kind == PENDING_CSR and key == UI_CERTIFICATE)


# The keys the API builds


def subaccount_key(region_host: str, subaccount: str) -> str:
    return join_key(SUBACCOUNT, region_host, subaccount)


def mapping_key(sa_key: str, virtual_host: str, virtual_port: str) -> str:
    return join_key(sa_key, SYSTEM_MAPPING, f"{virtual_host}:{virtual_port}")


def resource_key(mapping: str, resource_id: str) -> str:
    return join_key(mapping, RESOURCE, resource_id)


def domain_mapping_key(sa_key: str, number: int) -> str:
    return join_key(sa_key, DOMAIN_MAPPING, str(number))


def channel_key(sa_key: str, channel_id: int) -> str:
    return join_key(sa_key, CHANNEL, str(channel_id))


def is_subaccount_key(key: str | None) -> bool:
    parts = [] if key is None else key.split(KEY_SEPARATOR)
    return len(parts) == 3 and parts[0] == SUBACCOUNT and all(parts[1:])


def _is_mapping_key(key: str | None) -> bool:
    parts = [] if key is None else key.split(KEY_SEPARATOR)
    return (
        len(parts) == 5
        and is_subaccount_key(join_key(*parts[:3]))
        and parts[3] == SYSTEM_MAPPING
        and bool(parts[4])
    )


def _text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


_DIGITS = re.compile(r"[0-9]{1,9}")


def key_problem(record: Keyed) -> str | None:
    """What is wrong with the record's key or parent for its kind, or None if the API would
    have built them so. An entity keyed otherwise could be neither listed nor deleted through
    the API (a schedule keyed like a subaccount's entity answered 404 to GET, PUT and DELETE)."""
    kind = KINDS.get(record.kind)
    if kind is None:
        return "a kind this version does not know"
    key, parent, body = record.key, record.parent, record.body
    scope = kind.scope
    if scope is Scope.SINGLETON:
        return None if key == SINGLETON_KEY and parent is None else "not the instance's own key"
    if scope is Scope.NAMED:
        assert kind.name_pattern is not None
        if parent is not None or not re.fullmatch(kind.name_pattern, key):
            return "not a name the API gives"
        if kind.name == BACKUP_SCHEDULE and body.get("name") != key:
            return "its name is not its key"
        return None
    if scope is Scope.COUNTER:
        return None if parent is None and key in COUNTERS else "not a counter the API keeps"
    if scope is Scope.CERTIFICATE_SLOT:
        return None if parent is None and key in CERTIFICATE_SLOTS else "not a certificate slot"
    if scope is Scope.SUBACCOUNT:
        expected = subaccount_key(_text(body, "regionHost"), _text(body, "subaccount"))
        return None if parent is None and key == expected else "not its region and subaccount"
    if scope is Scope.RESOURCE:
        if parent is None or not _is_mapping_key(parent):
            return "its parent is not a system mapping"
        return None if key == resource_key(parent, _text(body, "id")) else "not its id"
    if parent is None or not is_subaccount_key(parent):
        return "its parent is not a subaccount"
    if scope is Scope.MAPPING:
        expected = mapping_key(parent, _text(body, "virtualHost"), _text(body, "virtualPort"))
        return None if key == expected else "not its virtual host and port"
    if scope is Scope.OF_SUBACCOUNT:
        return None if key == join_key(parent, kind.name) else "not its subaccount's"
    head, _, number = key.rpartition(KEY_SEPARATOR)
    ok = head == join_key(parent, kind.name) and _DIGITS.fullmatch(number)
    return None if ok else "not a number of its subaccount"


class Parents:
    """Collects the parents records name and the subaccounts and mappings present; at the end,
    which parents are missing (an orphan is listed nowhere)."""

    def __init__(self) -> None:
        self._present: set[str] = set()
        self._named: set[str] = set()

    def see(self, record: Keyed) -> None:
        if record.kind in (SUBACCOUNT, SYSTEM_MAPPING):
            self._present.add(record.key)
        if record.parent is not None:
            self._named.add(record.parent)

    def missing(self) -> list[str]:
        return sorted(self._named - self._present)

"""The key and parent every entity of each kind has, as the API builds them: pure checks.

An entity whose key the API would never build cannot be listed, changed or deleted through the
API (a backup schedule keyed like a subaccount's entity answered 404 to GET, PUT and DELETE and
ran every minute). Whatever comes from outside (an archive to restore, a master's snapshot) is
checked here, record by record, before any of it is stored; ``Parents`` checks, at the end, that
every entity's parent is there too.
"""

from __future__ import annotations

import re
from typing import Any

from openscc.auth.ldap import LDAP_SERVER_KIND, LDAP_SETTINGS_KIND
from openscc.auth.users import USER_KIND
from openscc.config import kinds
from openscc.config.kinds import SINGLETON_KEY
from openscc.connector_state import CONNECTOR_KIND
from openscc.snapshot import EntityRecord
from openscc.store.entities import KEY_SEPARATOR, join_key

# Kinds with one entity per instance, keyed "connector".
SINGLETON_KINDS = frozenset(
    {
        CONNECTOR_KIND,
        kinds.PROXY,
        kinds.SUBJECT_PATTERN_RULES,
        kinds.SYSTEM_CERTIFICATE,
        kinds.PP_CA_CERTIFICATE,
        kinds.UI_CERTIFICATE,
        kinds.TRUSTSTORE,
        kinds.HA_MASTER_CONFIG,
        kinds.HA_SHADOW_CONFIG,
        kinds.UI_CIPHER_SUITES,
        kinds.LOG_AND_TRACE,
        kinds.AUDIT_LOG,
        kinds.PP_SETTINGS,
        kinds.SOLUTION_MANAGEMENT,
        LDAP_SETTINGS_KIND,
        kinds.ALERTING,
        kinds.EMAIL,
    }
)
# What a subaccount owns, below its key: what a partial restore of it takes, and nothing else.
SUBACCOUNT_KINDS = frozenset(
    {
        kinds.SUBACCOUNT,
        kinds.SYSTEM_MAPPING,
        kinds.RESOURCE,
        kinds.DOMAIN_MAPPING,
        kinds.CHANNEL,
        kinds.SUBACCOUNT_TRUST,
        kinds.SUBACCOUNT_TRACE,
        kinds.SUBACCOUNT_AUDIT_LOG,
    }
)
# Owned by a subaccount, one per subaccount: keyed <subaccount>/<kind>.
_ONE_PER_SUBACCOUNT = frozenset(
    {kinds.SUBACCOUNT_TRUST, kinds.SUBACCOUNT_TRACE, kinds.SUBACCOUNT_AUDIT_LOG}
)
# Owned by a subaccount, numbered: keyed <subaccount>/<kind>/<number>.
_NUMBERED = frozenset({kinds.DOMAIN_MAPPING, kinds.CHANNEL})
# Counters of numbers given out (openscc.config.sequences), keyed by what they number.
_COUNTERS = frozenset(
    {kinds.DOMAIN_MAPPING, kinds.CHANNEL, kinds.TRUSTED_BACKEND, kinds.TRUSTED_EMAIL_SERVER,
     LDAP_SERVER_KIND}
)  # fmt: skip
_CERTIFICATE_SLOTS = frozenset(
    {kinds.UI_CERTIFICATE, kinds.SYSTEM_CERTIFICATE, kinds.PP_CA_CERTIFICATE}
)
_NAMED = {
    USER_KIND: re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"),
    kinds.BACKUP_SCHEDULE: re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"),
    LDAP_SERVER_KIND: re.compile(r"[0-9]{1,9}"),
    kinds.TRUSTED_BACKEND: re.compile(r"trustedbackend\.[0-9]{1,9}\.[0-9]{1,9}"),
    kinds.TRUSTED_EMAIL_SERVER: re.compile(r"trustedemailserver\.[0-9]{1,9}\.[0-9]{1,9}"),
}
_DIGITS = re.compile(r"[0-9]{1,9}")


def is_subaccount_key(key: str | None) -> bool:
    parts = [] if key is None else key.split(KEY_SEPARATOR)
    return len(parts) == 3 and parts[0] == kinds.SUBACCOUNT and all(parts[1:])


def _is_mapping_key(key: str | None) -> bool:
    parts = [] if key is None else key.split(KEY_SEPARATOR)
    return (
        len(parts) == 5
        and is_subaccount_key(join_key(*parts[:3]))
        and parts[3] == kinds.SYSTEM_MAPPING
        and bool(parts[4])
    )


def _text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def key_problem(record: EntityRecord) -> str | None:
    """What is wrong with the record's key or parent for its kind, or None if the API would
    have built them so."""
    kind, key, parent, body = record.kind, record.key, record.parent, record.body
    if kind in SINGLETON_KINDS:
        return None if key == SINGLETON_KEY and parent is None else "not the instance's own key"
    if kind in _NAMED:
        if parent is not None or not _NAMED[kind].fullmatch(key):
            return "not a name the API gives"
        if kind == kinds.BACKUP_SCHEDULE and body.get("name") != key:
            return "its name is not its key"
        return None
    if kind == kinds.SEQUENCE:
        return None if parent is None and key in _COUNTERS else "not a counter the API keeps"
    if kind == kinds.PENDING_CSR:
        return None if parent is None and key in _CERTIFICATE_SLOTS else "not a certificate slot"
    if kind == kinds.SUBACCOUNT:
        expected = kinds.subaccount_key(_text(body, "regionHost"), _text(body, "subaccount"))
        return None if parent is None and key == expected else "not its region and subaccount"
    if kind == kinds.RESOURCE:
        if not _is_mapping_key(parent):
            return "its parent is not a system mapping"
        assert parent is not None
        return None if key == kinds.resource_key(parent, _text(body, "id")) else "not its id"
    if not is_subaccount_key(parent):
        return "its parent is not a subaccount"
    assert parent is not None
    if kind == kinds.SYSTEM_MAPPING:
        expected = kinds.mapping_key(parent, _text(body, "virtualHost"), _text(body, "virtualPort"))
        return None if key == expected else "not its virtual host and port"
    if kind in _ONE_PER_SUBACCOUNT:
        return None if key == join_key(parent, kind) else "not its subaccount's"
    if kind in _NUMBERED:
        head, _, number = key.rpartition(KEY_SEPARATOR)
        ok = head == join_key(parent, kind) and _DIGITS.fullmatch(number)
        return None if ok else "not a number of its subaccount"
    return "a kind without a place in the configuration"


class Parents:
    """Collects the parents records name and the subaccounts and mappings present; at the end,
    which parents are missing (an orphan is listed nowhere)."""

    def __init__(self) -> None:
        self._present: set[str] = set()
        self._named: set[str] = set()

    def see(self, record: EntityRecord) -> None:
        if record.kind in (kinds.SUBACCOUNT, kinds.SYSTEM_MAPPING):
            self._present.add(record.key)
        if record.parent is not None:
            self._named.add(record.parent)

    def missing(self) -> list[str]:
        return sorted(self._named - self._present)

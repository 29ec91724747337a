"""Checking an archive's records against what a configuration must be, before any is applied."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from openscc.auth.ldap import LDAP_SERVER_KIND, LDAP_SETTINGS_KIND
from openscc.auth.ldap.servers import parse_server
from openscc.auth.roles import ROLES
from openscc.auth.users import USER_KIND
from openscc.config import certs
from openscc.config.key_shapes import Parents, key_problem
from openscc.config.kinds import ENTITY_KINDS
from openscc.connector_state import CONNECTOR_KEY, CONNECTOR_KIND, HA_ROLES, UI_CERTIFICATE_KIND
from openscc.errors import CorruptArchive, InvalidRequest
from openscc.snapshot import EntityRecord
from openscc.store.entities import KEY_SEPARATOR

MAX_KEY_CHARS = 4096


def _shown(key: str) -> str:
    return repr(key.replace(KEY_SEPARATOR, "/")[:200])


def _invalid(record: EntityRecord, why: str) -> CorruptArchive:
    return CorruptArchive(f"{record.kind} entity is invalid: {why}")


def _check_user(record: EntityRecord) -> None:
    if record.body.get("role") not in ROLES:
        raise _invalid(record, "unknown role")
    if not isinstance(record.secret, dict) or not str(
        record.secret.get("passwordHash", "")
    ).startswith("$argon2"):
        raise _invalid(record, "missing password hash")


def _check_connector(record: EntityRecord) -> None:
    if record.key != CONNECTOR_KEY:
        raise _invalid(record, "unexpected key")
    if record.body.get("haRole") not in (*HA_ROLES, None):
        raise _invalid(record, "unknown HA role")
    if not isinstance(record.body.get("description", ""), str):
        raise _invalid(record, "description is not a string")


def _check_ui_certificate(record: EntityRecord) -> None:
    if record.secret is None:
        raise _invalid(record, "the private key is missing")
    try:
        certs.check_key_pair(
            str(record.body["certificatePem"]), str(record.secret["privateKeyPem"])
        )
    except InvalidRequest as error:
        raise _invalid(record, error.message) from None
    except (KeyError, ValueError, TypeError):
        raise _invalid(record, "certificate or key does not parse") from None


def _check_ldap_settings(record: EntityRecord) -> None:
    if record.key != CONNECTOR_KEY:
        raise _invalid(record, "unexpected key")
    order = record.body.get("order")
    if not isinstance(record.body.get("enabled"), bool):
        raise _invalid(record, "enabled is not a boolean")
    if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
        raise _invalid(record, "order is not a list of server ids")


def _check_ldap_server(record: EntityRecord) -> None:
    password = (record.secret or {}).get("password")
    try:
        parse_server({**record.body, "password": password}, server_id=record.key, previous=None)
    except InvalidRequest as error:
        raise _invalid(record, error.message) from None


_CHECKS = {
    LDAP_SETTINGS_KIND: _check_ldap_settings,
    LDAP_SERVER_KIND: _check_ldap_server,
    USER_KIND: _check_user,
    CONNECTOR_KIND: _check_connector,
    UI_CERTIFICATE_KIND: _check_ui_certificate,
}


def validated(records: Iterable[EntityRecord]) -> Iterator[EntityRecord]:
    """Pass records through, raising CorruptArchive on the first invalid one or, at the end,
    if the configuration as a whole could not run (no connector, no administrator, duplicates).

    The records are those the archive reader yields, whose fields it has already checked for
    type (kind and key strings, parent a string or null, body and secret objects).
    """
    seen_connector = False
    administrators = 0
    has_ui_certificate = False
    parents = Parents()
    ldap_servers: set[str] = set()
    ldap_order: set[str] = set()
    for record in records:
        kind = record.kind
        if kind not in ENTITY_KINDS:
            raise CorruptArchive(f"unknown kind of entity {kind[:64]!r}")
        key = record.key
        if not key or len(key) > MAX_KEY_CHARS:
            raise _invalid(record, "the key is empty or too long")
        # An entity keyed otherwise than the API keys it could be neither listed nor deleted.
        problem = key_problem(record)
        if problem is not None:
            raise _invalid(record, f"its key {_shown(key)} is {problem}")
        parents.see(record)
        check = _CHECKS.get(kind)
        if check is not None:
            check(record)
            seen_connector |= kind == CONNECTOR_KIND
            has_ui_certificate |= kind == UI_CERTIFICATE_KIND
            administrators += kind == USER_KIND and record.body.get("role") == "sccadmin"
            if kind == LDAP_SERVER_KIND:
                ldap_servers.add(key)
            elif kind == LDAP_SETTINGS_KIND:
                ldap_order.update(record.body["order"])
        yield record
    if missing := parents.missing():
        raise CorruptArchive(f"entities of {_shown(missing[0])} are there, but not it")
    if unlisted := sorted(ldap_servers - ldap_order):
        raise CorruptArchive(f"LDAP server {_shown(unlisted[0])} is not in the servers' order")
    if not seen_connector:
        raise CorruptArchive("it holds no connector settings")
    if administrators == 0:
        raise CorruptArchive("it holds no administrator")
    if not has_ui_certificate:
        raise CorruptArchive("it holds no UI certificate")

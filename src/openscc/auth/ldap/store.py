"""The LDAP configuration in the store: a singleton (enabled, the servers' order) and one entity
per server (its connection password as the entity's secret), so that backups carry it, the
password encrypted, and a restore brings it back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from openscc import kinds
from openscc.auth.ldap.servers import LdapServer, parse_server
from openscc.config import sequences
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

logger = logging.getLogger("openscc.auth")
MAX_SERVERS = 3  # as the product's UI allows


@dataclass(frozen=True, slots=True)
class LdapConfiguration:
    enabled: bool
    servers: tuple[LdapServer, ...]  # in the order logons try them

    def find(self, server_id: str) -> LdapServer | None:
        return next((s for s in self.servers if s.id == server_id), None)

    @property
    def active(self) -> bool:
        """Whether logons go to the directory."""
        return self.enabled and bool(self.servers)


def load(store: EntityStore) -> LdapConfiguration:
    settings = store.get(kinds.LDAP_SETTINGS, kinds.SINGLETON_KEY)
    if settings is None:
        return LdapConfiguration(enabled=False, servers=())
    servers = []
    for server_id in settings.body.get("order", []):
        record = store.get(kinds.LDAP_SERVER, server_id, with_secret=True)
        if record is None:
            continue
        previous_password = (record.secret or {}).get("password")
        try:
            servers.append(_stored_server(record, previous_password))
        except InvalidRequest as error:  # only a hand-made archive can hold one
            logger.warning("LDAP server %s is ignored: %s", server_id, error.message)
    return LdapConfiguration(enabled=bool(settings.body.get("enabled")), servers=tuple(servers))


def _stored_server(record: EntityRecord, password: str | None) -> LdapServer:
    body = {**record.body, "password": password}
    return parse_server(body, server_id=record.key, previous=None)


def save(store: EntityStore, configuration: LdapConfiguration) -> None:
    """Store exactly this configuration (servers not in it are removed); in a transaction."""
    if len(configuration.servers) > MAX_SERVERS:
        raise InvalidRequest(f"at most {MAX_SERVERS} LDAP servers can be configured")
    kept = {s.id for s in configuration.servers}
    for record in store.children(kinds.LDAP_SERVER, None):
        if record.key not in kept:
            store.delete(kinds.LDAP_SERVER, record.key)
    for server in configuration.servers:
        store.put(
            EntityRecord(
                kind=kinds.LDAP_SERVER,
                key=server.id,
                parent=None,
                body=server.body(),
                secret={"password": server.password} if server.password else None,
            )
        )
    store.put(
        EntityRecord(
            kind=kinds.LDAP_SETTINGS,
            key=kinds.SINGLETON_KEY,
            parent=None,
            body={
                "enabled": configuration.enabled,
                "order": [s.id for s in configuration.servers],
            },
        )
    )


def new_server_id(store: EntityStore) -> str:
    """A server id never given before on this instance ("0", "1", ...); in a transaction."""
    return str(sequences.next_value(store, kinds.LDAP_SERVER) - 1)


def check_archived_settings(record: EntityRecord) -> None:
    """An archive's LDAP settings, before a restore stores them."""
    order = record.body.get("order")
    if not isinstance(record.body.get("enabled"), bool):
        raise ValueError("enabled is not a boolean")
    if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
        raise ValueError("order is not a list of server ids")


def check_archived_server(record: EntityRecord) -> None:
    """An archive's LDAP server, parsed as the API would (its password included)."""
    password = (record.secret or {}).get("password")
    try:
        parse_server({**record.body, "password": password}, server_id=record.key, previous=None)
    except InvalidRequest as error:
        raise ValueError(error.message) from None

"""One openscc instance: its data directory, opened and, on first start, initialised."""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from openscc import kinds
from openscc.audit import AuditLog
from openscc.auth.passwords import Passwords
from openscc.auth.policy import INITIAL_PASSWORD, check_new_password
from openscc.auth.users import ADMINISTRATOR, UserDirectory
from openscc.config import audit_settings, certs
from openscc.errors import InvalidRequest
from openscc.fileio import write_atomically
from openscc.layout import DATABASE, MASTER_KEY, DataDir
from openscc.props import Props, load_props
from openscc.settings import Settings
from openscc.store import instance_values
from openscc.store.db import connect
from openscc.store.entities import EntityStore
from openscc.store.instance_values import INSTANCE_ID
from openscc.store.journal import ChangeJournal
from openscc.store.locks import StoreLock
from openscc.store.records import EntityRecord
from openscc.store.sealing import SecretSealer


def ensure_data_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def load_master_key(data_dir: Path) -> bytes:
    """The instance's master key, created (mode 0600) on first start."""
    path = DataDir(data_dir).master_key
    if not path.exists():
        write_atomically(path, os.urandom(32), mode=0o600)
    key = path.read_bytes()
    if len(key) != 32:
        raise RuntimeError(f"{path} is damaged: expected 32 bytes")
    return key


@dataclass(kw_only=True)
class Instance:
    settings: Settings
    data_dir: Path
    conn: sqlite3.Connection
    sealer: SecretSealer
    store: EntityStore
    users: UserDirectory
    passwords: Passwords
    props: Props
    instance_id: str
    audit: AuditLog
    master_key: bytes = field(repr=False)
    # Held shared while the database is open here (openscc.store.locks).
    store_lock: StoreLock | None = field(default=None, repr=False)

    @property
    def layout(self) -> DataDir:
        return DataDir(self.data_dir)

    def sealer_key_for(self, purpose: str) -> bytes:
        """A key for one purpose, derived from the master key (never the master key itself)."""
        return hmac.new(self.master_key, f"openscc:{purpose}".encode(), hashlib.sha256).digest()

    @contextmanager
    def snapshot(self) -> Iterator[EntityStore]:
        """A read-only view of one committed state, unaffected by concurrent writes."""
        conn = connect(self.layout.database, migrate_schema=False)
        try:
            conn.execute("BEGIN")
            # The first read pins the snapshot the whole transaction sees (one row, not a scan).
            conn.execute("SELECT 1 FROM entity LIMIT 1").fetchone()
            yield EntityStore(conn, self.sealer)
            conn.execute("COMMIT")
        finally:
            conn.close()

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the database's write lock (on a connection of its own) for the block: no other
        connection, in this process or another, commits a change meanwhile."""
        conn = connect(self.layout.database, migrate_schema=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    def close(self) -> None:
        self.conn.close()
        if self.store_lock is not None:
            self.store_lock.release()


class NotAnInstance(InvalidRequest):
    """A data directory that does not exist or was never initialised by ``openscc serve``."""


def require_instance(data_dir: Path) -> None:
    """Raise NotAnInstance unless ``data_dir`` holds an initialised instance (only ``openscc
    serve`` creates one; a mistyped --data-dir must not quietly become a new instance)."""
    shown = str(data_dir)
    if not data_dir.exists():
        raise NotAnInstance(
            f"{shown} does not exist; give the data directory of an instance (--data-dir), "
            "which `openscc serve` creates on its first start"
        )
    layout = DataDir(data_dir)
    missing = [place.name for place in (DATABASE, MASTER_KEY) if not layout.at(place).is_file()]
    if missing:
        raise NotAnInstance(
            f"{shown} is not an openscc data directory (no {' or '.join(missing)}); give the "
            "data directory of an instance (--data-dir), which `openscc serve` creates"
        )


def open_existing_instance(settings: Settings) -> Instance:
    """Open the data directory of an initialised instance; never create one."""
    require_instance(settings.data_dir)
    return open_instance(settings)


def open_instance(settings: Settings) -> Instance:
    """Open the data directory, creating and initialising whatever is missing. ValueError if
    OPENSCC_ADMIN_PASSWORD breaks the password policy (on every start, not only the first)."""
    if settings.admin_password is not None:
        try:
            check_new_password(ADMINISTRATOR, settings.admin_password)
        except InvalidRequest as error:
            raise ValueError(f"OPENSCC_ADMIN_PASSWORD is refused: {error.message}") from None
    data_dir = settings.data_dir.resolve()
    ensure_data_dir(data_dir)
    store_lock = StoreLock(data_dir, exclusive=False, timeout=settings.store_lock_timeout_seconds)
    try:
        return _open(settings, data_dir, store_lock)
    except BaseException:
        store_lock.release()
        raise


def _open(settings: Settings, data_dir: Path, store_lock: StoreLock) -> Instance:
    master_key = load_master_key(data_dir)
    sealer = SecretSealer(master_key)
    conn = connect(DataDir(data_dir).database, busy_timeout_ms=settings.store_busy_timeout_ms)
    store = EntityStore(conn, sealer, ChangeJournal(conn, kinds.is_replicated))
    passwords = Passwords(settings.kdf_profile)
    props = load_props(data_dir)
    audit_dir = Path(props.audit_log_dir) if props.audit_log_dir else data_dir
    instance = Instance(
        settings=settings,
        data_dir=data_dir,
        conn=conn,
        sealer=sealer,
        store=store,
        users=UserDirectory(store, passwords),
        passwords=passwords,
        props=props,
        instance_id=_instance_id(conn),
        audit=AuditLog(audit_dir),
        master_key=master_key,
        store_lock=store_lock,
    )
    try:
        _initialise(instance)
        # The audit level applies to whoever opens the instance: the server and the CLI alike.
        instance.audit.level = audit_settings.settings(store)["level"]
    except BaseException:
        conn.close()
        raise
    return instance


def _instance_id(conn: sqlite3.Connection) -> str:
    known = instance_values.read(conn, INSTANCE_ID)
    if known is not None:
        return known
    new_id = str(uuid.uuid4())
    instance_values.write(conn, INSTANCE_ID, new_id)
    return new_id


def _initialise(instance: Instance) -> None:
    """Create the initial configuration of a fresh instance: the connector, its Administrator
    and its UI certificate. An existing configuration is left as it is."""
    store = instance.store
    with store.transaction():
        if store.get(kinds.CONNECTOR, kinds.SINGLETON_KEY) is None:
            automated = instance.settings.admin_password is not None
            store.put(
                EntityRecord(
                    kind=kinds.CONNECTOR,
                    key=kinds.SINGLETON_KEY,
                    parent=None,
                    body={
                        "description": "",
                        "haRole": instance.settings.initial_ha_role if automated else None,
                    },
                )
            )
        if not instance.users.all():
            password = instance.settings.admin_password or INITIAL_PASSWORD
            instance.users.add(
                ADMINISTRATOR,
                "sccadmin",
                password,
                initial_password=instance.settings.admin_password is None,
            )
        if store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY) is None:
            pair = certs.initial_ui_certificate(instance.settings.host or "localhost")
            store.put(
                EntityRecord(
                    kind=kinds.UI_CERTIFICATE,
                    key=kinds.SINGLETON_KEY,
                    parent=None,
                    body={"certificatePem": pair.certificate_pem},
                    secret={"privateKeyPem": pair.private_key_pem},
                )
            )

"""First start of an empty data directory: store, settings file, master key, certificate, users."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from openscc import kinds
from openscc.app import create_app
from openscc.auth.users import ADMINISTRATOR
from openscc.config.connector_state import ha_role
from openscc.instance import open_instance
from openscc.layout import DATABASE, MASTER_KEY, PROPS
from openscc.props import Props
from openscc.settings import DEFAULT_HOST, DEFAULT_PORT, Settings
from openscc.store.migrations import SCHEMA_VERSION
from support.apps import ADMIN_PASSWORD, INITIAL_PASSWORD, make_client, password_matches


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_creates_sqlite_store_at_current_schema_version(settings: Settings) -> None:
    """An empty data directory gets an SQLite store migrated to the latest schema."""
    open_instance(settings).close()

    with sqlite3.connect(settings.data_dir / DATABASE.name) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }

    assert version == SCHEMA_VERSION
    assert {"entity", "instance"} <= tables


def test_first_start_writes_props_ini_with_host_port_and_paths(settings: Settings) -> None:
    """props.ini is created with the default host and port and a paths section."""
    open_instance(settings).close()

    text = (settings.data_dir / PROPS.name).read_text()
    props = Props.from_text(text)

    assert (props.host, props.port, props.audit_log_dir) == (DEFAULT_HOST, DEFAULT_PORT, "")
    assert "[server]" in text
    assert "[paths]" in text


def test_existing_props_ini_is_kept(settings: Settings) -> None:
    """A props.ini that is already there is read, not overwritten."""
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / PROPS.name).write_text("[server]\nhost = 127.0.0.1\nport = 9443\n")

    instance = open_instance(settings)
    instance.close()

    assert instance.props.port == 9443
    assert "9443" in (settings.data_dir / PROPS.name).read_text()


def test_master_key_is_32_random_bytes_readable_only_by_the_owner(settings: Settings) -> None:
    """The per-instance master key file has mode 0600 and survives a restart unchanged."""
    open_instance(settings).close()
    key_path = settings.data_dir / MASTER_KEY.name
    first = key_path.read_bytes()

    open_instance(settings).close()

    assert _mode(key_path) == 0o600
    assert len(first) == 32
    assert key_path.read_bytes() == first


def test_data_directory_is_private_even_if_it_existed(settings: Settings) -> None:
    """The data directory ends up mode 0700, also when it already existed with a wider mode."""
    settings.data_dir.mkdir(parents=True, mode=0o755)
    settings.data_dir.chmod(0o755)

    open_instance(settings).close()

    assert _mode(settings.data_dir) == 0o700


def test_first_start_creates_a_self_signed_ui_certificate_with_sealed_key(
    settings: Settings,
) -> None:
    """The UI certificate is stored with its private key, which is encrypted at rest."""
    instance = open_instance(settings)
    record = instance.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY, with_secret=True)
    instance.close()
    assert record is not None
    assert record.secret is not None
    certificate = x509.load_pem_x509_certificate(record.body["certificatePem"].encode())
    key = serialization.load_pem_private_key(record.secret["privateKeyPem"].encode(), None)
    raw_db = (settings.data_dir / DATABASE.name).read_bytes()

    assert certificate.issuer == certificate.subject
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    assert b"PRIVATE KEY" not in raw_db


def test_sensitive_values_are_encrypted_at_rest(settings: Settings) -> None:
    """Neither password hashes nor private keys appear in the database file in the clear."""
    open_instance(settings).close()

    raw = b""
    for path in settings.data_dir.iterdir():
        if path.name.startswith(DATABASE.name):
            raw += path.read_bytes()

    assert b"$argon2" not in raw
    assert b"BEGIN PRIVATE KEY" not in raw


def test_fresh_instance_has_only_the_administrator_with_the_initial_password(
    settings: Settings,
) -> None:
    """A fresh instance has the single user Administrator, password 'manage', still initial."""
    instance = open_instance(settings)
    users = instance.users.all()
    checked = password_matches(instance, ADMINISTRATOR, INITIAL_PASSWORD)
    role = ha_role(instance.store)
    instance.close()

    assert [(u.name, u.role, u.initial_password) for u in users] == [
        (ADMINISTRATOR, "sccadmin", True)
    ]
    assert checked
    assert role is None


def test_passwords_are_stored_as_argon2id_hashes(settings: Settings) -> None:
    """The stored password of a user is an Argon2id hash string, never the password."""
    instance = open_instance(settings)
    record = instance.store.get(kinds.USER, ADMINISTRATOR, with_secret=True)
    instance.close()
    assert record is not None
    assert record.secret is not None

    stored = record.secret["passwordHash"]

    assert stored.startswith("$argon2id$")
    assert INITIAL_PASSWORD not in stored


def test_second_start_keeps_the_configuration(settings: Settings) -> None:
    """Opening an initialised data directory changes nothing: same id, certificate and users."""
    first = open_instance(settings)
    first_id = first.instance_id
    first_cert = first.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    first.close()

    second = open_instance(settings)
    second_cert = second.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY)
    users = second.users.all()
    second.close()

    assert second.instance_id == first_id
    assert second_cert == first_cert
    assert [u.name for u in users] == [ADMINISTRATOR]


def test_admin_password_from_environment_makes_a_ready_master_instance(settings: Settings) -> None:
    """OPENSCC_ADMIN_PASSWORD at first start sets the password and the HA role master."""
    from_env = Settings.from_env(
        {"OPENSCC_ADMIN_PASSWORD": ADMIN_PASSWORD, "OPENSCC_KDF_PROFILE": "test"},
        data_dir=settings.data_dir,
    )

    with make_client(create_app(from_env), auth=(ADMINISTRATOR, ADMIN_PASSWORD)) as client:
        connector = client.get("/api/v1/configuration/connector")
        role = client.get("/api/v1/configuration/connector/haRole")
        initial = client.get(
            "/api/v1/configuration/connector", auth=(ADMINISTRATOR, INITIAL_PASSWORD)
        )

    assert connector.status_code == 200
    assert role.json() == "master"
    assert initial.status_code == 401


def test_admin_password_from_environment_is_ignored_on_an_initialised_directory(
    settings: Settings,
) -> None:
    """OPENSCC_ADMIN_PASSWORD only acts on the first start of an empty data directory."""
    open_instance(settings).close()

    instance = open_instance(settings.replace(admin_password=ADMIN_PASSWORD))
    with_env_password = password_matches(instance, ADMINISTRATOR, ADMIN_PASSWORD)
    administrator = instance.users.find(ADMINISTRATOR)
    role = ha_role(instance.store)
    instance.close()

    assert not with_env_password
    assert administrator is not None
    assert administrator.initial_password
    assert role is None


def test_admin_password_is_not_shown_in_settings_repr() -> None:
    """The admin password in the settings never appears in their printed form."""
    settings = Settings(data_dir=Path("d"), admin_password=ADMIN_PASSWORD)

    assert ADMIN_PASSWORD not in repr(settings)

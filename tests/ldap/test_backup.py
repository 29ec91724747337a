"""An active LDAP configuration, connection password included, survives a backup and restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.in_process import BACKUP_PASSWORD, BACKUP_PATH, InProcessServer
from support.ldap_server import LDAP_V2, LdapServer, enable_ldap


@pytest.mark.slow
def test_an_active_ldap_configuration_is_restored_and_logons_use_it(
    tmp_path: Path, ldap_directory: LdapServer
) -> None:
    """Backed up by a directory administrator and restored on another instance, the LDAP
    configuration reads the same, keeps its connection password (a secret) and serves logons."""
    source = InProcessServer(tmp_path / "source")
    source.http.auth = source.auth
    enable_ldap(source.http, ldap_directory, start_tls=True)
    alice = ("alice", ldap_directory.passwords["alice"])
    before = source.http.get(LDAP_V2, auth=alice).json()
    backup = source.http.post(BACKUP_PATH, auth=alice, json={"password": BACKUP_PASSWORD})
    assert backup.status_code == 200, backup.text
    target = InProcessServer(tmp_path / "target", password="Target-admin-pa55")

    restored = target.restore(backup.content)
    target.restart()

    record = target.instance.store.get("ldapServer", "0", with_secret=True)
    assert restored.status_code == 204, restored.text
    assert target.http.get(LDAP_V2, auth=alice).json() == before
    assert record is not None
    assert record.secret == {"password": ldap_directory.bind_password}
    assert target.http.get(LDAP_V2, auth=target.auth).status_code == 401
    source.close()
    target.close()

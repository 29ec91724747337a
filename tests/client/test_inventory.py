"""The fleet inventory: TOML with defaults, per-connector overrides and strict checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from openscc.client.inventory import InventoryError, SecretSource, load_inventory


def _inventory(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(text)
    return path


GOOD = """
[defaults]
user = "backup-operator"
password_env = "FLEET_PASSWORD"
backup_password_file = "secrets/backup-password"
ca_file = "ca.pem"

[[connector]]
name = "eu10-prod"
url = "https://scc-eu10.example.com:8443/"

[[connector]]
name = "us20"
url = "https://scc-us20.example.com:8443"
user = "Administrator"
password_file = "/etc/openscc/us20.password"
insecure = true
verify = "zip"
"""


def test_defaults_apply_and_a_connector_overrides_a_whole_group(tmp_path: Path) -> None:
    """[defaults] fill each connector; setting one key of a group (password, TLS) replaces the group."""
    eu, us = load_inventory(_inventory(tmp_path, GOOD))

    assert (eu.name, eu.url, eu.user) == (
        "eu10-prod",
        "https://scc-eu10.example.com:8443",
        "backup-operator",
    )
    assert eu.password == SecretSource("env", "FLEET_PASSWORD")
    assert eu.backup_password == SecretSource("file", str(tmp_path / "secrets/backup-password"))
    assert eu.ca_file == tmp_path / "ca.pem"
    assert not eu.insecure
    assert eu.verify == "full"
    assert us.user == "Administrator"
    assert us.password == SecretSource("file", "/etc/openscc/us20.password")
    assert us.insecure
    assert us.ca_file is None
    assert us.verify == "zip"


def _one(**keys: str) -> str:
    """One [[connector]] with valid keys, changed or extended by ``keys`` (TOML values)."""
    values = {
        "name": '"a"',
        "url": '"https://a"',
        "user": '"u"',
        "password_env": '"P"',
        "backup_password_env": '"B"',
    } | keys
    return "[[connector]]\n" + "".join(f"{k} = {v}\n" for k, v in values.items() if v)


TWO_NAMED_ALIKE = (
    '[defaults]\nuser = "u"\npassword_env = "P"\nbackup_password_env = "B"\n'
    '[[connector]]\nname = "a"\nurl = "https://a"\n[[connector]]\nname = "A"\nurl = "https://b"\n'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_one(backup_password_env=""), "backup_password"),
        (_one(password_file='"f"'), "exactly one of password_env and password_file"),
        (_one(name='"../etc"'), "names a folder"),
        (_one(url='"ftp://a"'), "not an http(s) URL"),
        (_one(pasword_env='"P"'), "unknown key 'pasword_env'"),
        (TWO_NAMED_ALIKE, "appears twice"),
        (_one(insecure="true", ca_file='"ca.pem"'), "contradict"),
        ("[defaults]\n", "lists no [[connector]]"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_invalid_inventories_are_refused_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    """Each mistake in an inventory is refused before any backup starts, saying what is wrong."""
    with pytest.raises(InventoryError) as caught:
        load_inventory(_inventory(tmp_path, text))

    assert message in caught.value.message
    assert caught.value.exit_code == 2


def test_secret_sources_read_env_and_first_line_of_files(tmp_path: Path) -> None:
    """An env source reads the variable; a file source the first line; missing or empty is an error."""
    file = tmp_path / "pw"
    file.write_text("s3cret\nsecond line\n")

    assert SecretSource("env", "X").read({"X": "from-env"}) == "from-env"
    assert SecretSource("file", str(file)).read({}) == "s3cret"
    with pytest.raises(InventoryError, match="X is not set"):
        SecretSource("env", "X").read({})
    with pytest.raises(InventoryError, match="cannot read"):
        SecretSource("file", str(tmp_path / "missing")).read({})

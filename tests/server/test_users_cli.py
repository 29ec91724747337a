"""`openscc users`: local users on the data directory; passwords never on the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from openscc.auth.ldap.servers import LdapServer, parse_server
from openscc.auth.ldap.store import LdapConfiguration
from openscc.auth.ldap.store import load as load_ldap
from openscc.auth.ldap.store import save as save_ldap
from openscc.cli import cli
from openscc.instance import open_instance
from openscc.settings import Settings
from support.apps import ADMINISTRATOR, password_matches

Invoke = Callable[..., Result]


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Invoke `openscc users ...` on the test's data directory, with the fast KDF."""
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    monkeypatch.delenv("OPENSCC_ADMIN_PASSWORD", raising=False)
    open_instance(settings).close()  # as `openscc serve` leaves it: the commands never create one

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli, ["users", *args, "--data-dir", str(settings.data_dir)], input=input
        )

    return invoke


def _check(settings: Settings, name: str, password: str) -> bool:
    instance = open_instance(settings)
    try:
        return password_matches(instance, name, password)
    finally:
        instance.close()


def test_add_reads_the_password_from_stdin(run: Invoke, settings: Settings) -> None:
    """`users add NAME --role ROLE` takes the password from standard input."""
    result = run("add", "alice", "--role", "sccdisplay", input="alice-pa55word\n")

    assert result.exit_code == 0, result.output
    assert "alice-pa55word" not in result.output
    assert _check(settings, "alice", "alice-pa55word")


def test_list_shows_users_and_roles(run: Invoke) -> None:
    """`users list` prints each user with its role, flagging an unchanged initial password."""
    run("add", "alice", "--role", "sccsupport", input="user-pa55word\n")

    result = run("list")

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{ADMINISTRATOR}\tsccadmin  (initial password)",
        "alice\tsccsupport",
    ]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("admin", "sccadmin"),
        ("sccadmin", "sccadmin"),
        ("sccsubadmin", "sccsubadmin"),
        ("sccsupport", "sccsupport"),
        ("sccdisplay", "sccdisplay"),
        ("sccmonitoring", "sccmonitoring"),
    ],
)
def test_add_accepts_every_role_and_the_admin_alias(run: Invoke, given: str, stored: str) -> None:
    """All five roles are accepted; 'admin' is stored as sccadmin."""
    result = run("add", "bob", "--role", given, input="user-pa55word\n")

    assert result.exit_code == 0, result.output
    assert f"bob\t{stored}" in run("list").output


def test_add_refuses_an_unknown_role(run: Invoke) -> None:
    """A role that is not the Cloud Connector's is a usage error."""
    result = run("add", "bob", "--role", "root", input="user-pa55word\n")

    assert result.exit_code == 2
    assert "bob" not in run("list").output


def test_password_cannot_be_given_on_the_command_line(run: Invoke) -> None:
    """There is no --password option: passwords never appear in argv or shell history."""
    result = run("add", "bob", "--role", "sccdisplay", "--password", "user-pa55word")

    assert result.exit_code == 2
    assert "No such option" in result.output


def test_add_refuses_an_empty_password(run: Invoke) -> None:
    """An empty line on standard input is refused."""
    result = run("add", "bob", "--role", "sccdisplay", input="\n")

    assert result.exit_code == 2
    assert "bob" not in run("list").output


def test_add_refuses_an_existing_user(run: Invoke) -> None:
    """Adding a user twice fails with a message and exit code 1."""
    run("add", "bob", "--role", "sccdisplay", input="user-pa55word\n")

    result = run("add", "bob", "--role", "sccadmin", input="user-pa55word\n")

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_add_refuses_an_invalid_name(run: Invoke) -> None:
    """User names are letters, digits and . _ @ -."""
    result = run("add", "bad name", "--role", "sccdisplay", input="user-pa55word\n")

    assert result.exit_code == 1


def test_set_password_replaces_the_password(run: Invoke, settings: Settings) -> None:
    """`users set-password NAME` reads the new password from stdin; the old one stops working."""
    run("add", "bob", "--role", "sccdisplay", input="old-pa55word\n")

    result = run("set-password", "bob", input="new-pa55word\n")

    assert result.exit_code == 0, result.output
    assert _check(settings, "bob", "new-pa55word")
    assert not _check(settings, "bob", "old-pa55word")


def test_set_password_on_the_administrator_ends_the_initial_state(run: Invoke) -> None:
    """Setting the Administrator's password from the CLI also counts as changing the initial one."""
    result = run("set-password", ADMINISTRATOR, input="new-admin-pw\n")

    assert result.exit_code == 0
    assert f"{ADMINISTRATOR}\tsccadmin\n" in run("list").output


def test_set_password_of_unknown_user_fails(run: Invoke) -> None:
    """set-password on a missing user fails with exit code 1."""
    result = run("set-password", "ghost", input="user-pa55word\n")

    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_remove_deletes_the_user(run: Invoke, settings: Settings) -> None:
    """`users remove NAME` deletes the user; their password no longer works."""
    run("add", "bob", "--role", "sccdisplay", input="user-pa55word\n")

    result = run("remove", "bob")

    assert result.exit_code == 0
    assert "bob" not in run("list").output
    assert not _check(settings, "bob", "user-pa55word")


def test_the_last_administrator_cannot_be_removed(run: Invoke) -> None:
    """Removing the only sccadmin is refused, so the instance stays manageable."""
    result = run("remove", ADMINISTRATOR)

    assert result.exit_code == 1
    assert "last administrator" in result.output


def test_an_administrator_can_be_removed_while_another_remains(run: Invoke) -> None:
    """With a second administrator, the first one may go."""
    run("add", "second", "--role", "admin", input="user-pa55word\n")

    result = run("remove", ADMINISTRATOR)

    assert result.exit_code == 0
    assert ADMINISTRATOR not in run("list").output


def test_users_commands_require_no_running_server(run: Invoke, settings: Settings) -> None:
    """The commands work on the data directory of a stopped server."""
    result = run("list")

    assert result.exit_code == 0
    assert "Administrator" in result.output


@pytest.mark.parametrize(
    "args",
    [["list"], ["add", "bob", "--role", "sccdisplay"], ["set-password", "bob"], ["remove", "bob"]],
)
def test_a_mistyped_data_dir_is_refused_and_nothing_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Only `openscc serve` initialises a data directory: elsewhere a directory that does not
    exist, or holds no instance, is a usage error (exit 2) and stays as it was."""
    monkeypatch.setenv("OPENSCC_KDF_PROFILE", "test")
    typo = tmp_path / "typo"
    empty = tmp_path / "empty"
    empty.mkdir()

    missing = CliRunner().invoke(
        cli, ["users", *args, "--data-dir", str(typo)], input="Bob-pa55word\n"
    )
    not_one = CliRunner().invoke(
        cli, ["users", *args, "--data-dir", str(empty)], input="Bob-pa55word\n"
    )

    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    assert not typo.exists()
    assert not_one.exit_code == 2
    assert "is not an openscc data directory" in not_one.output
    assert list(empty.iterdir()) == []


def test_use_file_store_turns_ldap_off(run: Invoke, settings: Settings) -> None:
    """`users use-file-store` (the product's useFileUserStore) turns LDAP authentication off and
    keeps its configuration."""
    instance = open_instance(settings)
    with instance.store.transaction():
        save_ldap(instance.store, LdapConfiguration(enabled=True, servers=(_directory_server(),)))
    instance.close()

    result = run("use-file-store")

    instance = open_instance(settings)
    configuration = load_ldap(instance.store)
    instance.close()
    assert result.exit_code == 0, result.output
    assert "turned off" in result.output
    assert (configuration.enabled, len(configuration.servers)) == (False, 1)


def _directory_server() -> LdapServer:
    return parse_server(
        {
            "config": 'userPattern="uid={0},ou=users,dc=x" userRoleName="memberOf"',
            "hosts": [{"host": "ldap.corp"}],
        },
        server_id="0",
        previous=None,
    )


def test_a_change_is_refused_while_a_committed_restore_waits_for_the_restart(
    run: Invoke, settings: Settings
) -> None:
    """The restart replaces the users: a change made now would be acknowledged and then lost."""
    (settings.data_dir / "restore-pending").write_text("{}")

    result = run("add", "bob", "--role", "sccdisplay", input="user-pa55word\n")

    assert result.exit_code == 1
    assert "waits for the server's restart" in result.output
    (settings.data_dir / "restore-pending").unlink()
    assert "bob" not in run("list").output


def test_list_json_is_for_scripts(run: Invoke) -> None:
    run("add", "alice", "--role", "sccsupport", input="user-pa55word\n")

    result = run("list", "--json")

    assert result.exit_code == 0, result.output
    assert {"user": "alice", "role": "sccsupport", "initialPassword": False} in json.loads(
        result.output
    )


def test_at_a_terminal_a_refused_password_is_asked_for_again_with_the_rules(
    run: Invoke, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openscc.cli import options, users

    answers = iter(["short", "Long-enough-pa55"])
    monkeypatch.setattr(options, "at_terminal", lambda: True)
    monkeypatch.setattr(users, "read_secret", lambda prompt, confirm=False: next(answers))

    result = run("add", "bob", "--role", "sccdisplay")

    assert result.exit_code == 0, result.output
    assert "too short" in result.output
    assert "at least 8 characters, not the user name" in result.output
    assert _check(settings, "bob", "Long-enough-pa55")


def test_piped_a_refused_password_ends_the_command(run: Invoke) -> None:
    result = run("add", "carol", "--role", "sccdisplay", input="short\n")

    assert result.exit_code == 1
    assert "too short" in result.output

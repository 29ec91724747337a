"""``openscc users``: local users for role separation, managed on the data directory.

The commands work on the database beside a running server, through SQLite alone (see
docs/reliability.md, "The server and the command line"): each change is one write transaction,
which waits while the server writes (``BUSY_TIMEOUT_MS``) and checks inside it that no restore
is committed and waiting for the server's restart (that restart replaces the database). Password
hashes are computed before the transaction, so the server's writes never wait for Argon2. The
running server sees each change at its next request.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click

from openscc.auth.ldap.store import load as load_ldap
from openscc.auth.ldap.store import save as save_ldap
from openscc.auth.policy import check_new_password
from openscc.auth.roles import ROLE_ALIASES, ROLE_NAMES, canonical_role
from openscc.auth.users import check_user_name
from openscc.backup.restore_apply import restore_pending
from openscc.cli import options
from openscc.cli.options import data_dir_option, read_secret
from openscc.errors import Conflict, InvalidRequest, OpensccError
from openscc.instance import Instance, NotAnInstance, open_existing_instance
from openscc.settings import Settings
from openscc.store.db import is_busy

_ROLE_CHOICES = click.Choice([*ROLE_NAMES, *ROLE_ALIASES])
T = TypeVar("T")
# A command waits this long for a write the server has under way (the server's own writes wait
# 2 s for the command's, which take milliseconds).
BUSY_TIMEOUT_MS = 30_000


@contextmanager
def _open(data_dir: Path) -> Iterator[Instance]:
    settings = Settings.from_env(
        os.environ, data_dir=data_dir, store_busy_timeout_ms=BUSY_TIMEOUT_MS
    )
    try:
        instance = open_existing_instance(settings)
    except NotAnInstance as error:
        raise click.UsageError(error.message) from None
    except OpensccError as error:
        raise click.ClickException(error.message) from None
    except sqlite3.OperationalError as error:
        raise click.ClickException(_store_failure(error)) from None
    try:
        yield instance
    finally:
        instance.close()


def _store_failure(error: sqlite3.OperationalError) -> str:
    if is_busy(error):
        return "the configuration store stayed locked by the server; nothing was changed, try again"
    return f"the configuration store cannot be written ({error}); nothing was changed"


def _refuse_during_restore(instance: Instance) -> None:
    if restore_pending(instance.data_dir):
        raise Conflict(
            "a restore is committed and waits for the server's restart, which replaces the "
            "users; nothing was changed: try again once the server is back"
        )


@click.group("users")
def users_group() -> None:
    """Manage local users (passwords are read from standard input or a prompt)."""


@users_group.command("list")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
def list_users(data_dir: Path, as_json: bool) -> None:
    """List users and their roles."""
    with _open(data_dir) as instance:
        users = instance.users.all()
    if as_json:
        click.echo(json.dumps([{"user": u.name, "role": u.role,
                                "initialPassword": u.initial_password} for u in users], indent=2))  # fmt: skip
        return
    for user in users:
        flag = "  (initial password)" if user.initial_password else ""
        click.echo(f"{user.name}\t{user.role}{flag}")


# Said when a password is refused at the prompt, before asking again.
POLICY = (
    "at least 8 characters, not the user name, not the initial password 'manage', "
    "not the current one"
)


def new_password(name: str, prompt: str) -> str:
    """A new password for ``name`` that the policy takes. At a terminal, a refused one is said
    with the rules and asked for again; piped in, a refused one ends the command (exit 1)."""
    while True:
        password = read_secret(prompt, confirm=True)
        try:
            check_new_password(name, password)
        except InvalidRequest as error:
            if not options.at_terminal():
                raise click.ClickException(error.message) from None
            click.echo(f"{error.message}. A password needs {POLICY}.", err=True)
            continue
        return password


def _run(
    action: str,
    data_dir: Path,
    name: str,
    change: Callable[[Instance, T], object],
    prepare: Callable[[Instance], T],
    **details: str,
) -> None:
    """``prepare`` (a hash, checks that need no lock), then ``change`` with what it made, in one
    write transaction, then the audit line."""
    with _open(data_dir) as instance:
        try:
            prepared = prepare(instance)
            with instance.store.transaction():
                _refuse_during_restore(instance)
                change(instance, prepared)
        except OpensccError as error:
            raise click.ClickException(error.message) from None
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.OperationalError as error:
            raise click.ClickException(_store_failure(error)) from None
        instance.audit.record(f"user.{action}", actor="cli", user=name, **details)


@users_group.command("add")
@data_dir_option
@click.argument("name")
@click.option("--role", type=_ROLE_CHOICES, required=True, help="The user's role.")
def add_user(data_dir: Path, name: str, role: str) -> None:
    """Add a user with a role."""
    try:
        check_user_name(name)
    except InvalidRequest as error:
        raise click.ClickException(error.message) from None
    password = new_password(name, f"Password for {name}")

    def hashed(instance: Instance) -> str:
        return instance.passwords.hash(password)

    _run(
        "added",
        data_dir,
        name,
        lambda i, password_hash: i.users.add_hashed(name, role, password_hash),
        hashed,
        role=canonical_role(role),
    )
    click.echo(f"added {name} ({ROLE_ALIASES.get(role, role)})")


@users_group.command("remove")
@data_dir_option
@click.argument("name")
def remove_user(data_dir: Path, name: str) -> None:
    """Remove a user (not the last administrator)."""
    _run("removed", data_dir, name, lambda i, _: i.users.remove(name), lambda i: None)
    click.echo(f"removed {name}")


@users_group.command("set-password")
@data_dir_option
@click.argument("name")
def set_password(data_dir: Path, name: str) -> None:
    """Set a user's password."""
    password = new_password(name, f"New password for {name}")
    _run(
        "password_set",
        data_dir,
        name,
        lambda i, password_hash: i.users.set_password_hash(name, password_hash),
        lambda i: i.users.checked_new_password_hash(name, password),
    )
    click.echo(f"password of {name} set")


@users_group.command("use-file-store")
@data_dir_option
def use_file_store(data_dir: Path) -> None:
    """Turn LDAP authentication off: logons go to the local users again (the product's
    useFileUserStore). The LDAP configuration is kept, off; a running server follows at once."""
    with _open(data_dir) as instance:
        try:
            with instance.store.transaction():
                _refuse_during_restore(instance)
                configuration = load_ldap(instance.store)
                was_on = configuration.enabled
                if configuration.servers or was_on:
                    save_ldap(instance.store, dataclasses.replace(configuration, enabled=False))
        except OpensccError as error:
            raise click.ClickException(error.message) from None
        except sqlite3.OperationalError as error:
            raise click.ClickException(_store_failure(error)) from None
        instance.audit.record("ldap.changed", actor="cli", enabled=False)
    click.echo(
        "LDAP authentication turned off: local users log on again"
        if was_on
        else "LDAP authentication was already off: local users log on"
    )

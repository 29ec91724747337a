"""``openscc users``: local users for role separation, managed on the data directory."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from openscc.auth.ldap.store import load as load_ldap
from openscc.auth.ldap.store import save as save_ldap
from openscc.auth.roles import ROLE_ALIASES, ROLE_NAMES, canonical_role
from openscc.cli.options import data_dir_option, read_secret
from openscc.errors import OpensccError
from openscc.instance import Instance, NotAnInstance, open_existing_instance
from openscc.settings import Settings

_ROLE_CHOICES = click.Choice([*ROLE_NAMES, *ROLE_ALIASES])


@contextmanager
def _open(data_dir: Path) -> Iterator[Instance]:
    try:
        instance = open_existing_instance(Settings.from_env(os.environ, data_dir=data_dir))
    except NotAnInstance as error:
        raise click.UsageError(error.message) from None
    try:
        yield instance
    finally:
        instance.close()


@click.group("users")
def users_group() -> None:
    """Manage local users (passwords are read from standard input or a prompt)."""


@users_group.command("list")
@data_dir_option
def list_users(data_dir: Path) -> None:
    """List users and their roles."""
    with _open(data_dir) as instance:
        for user in instance.users.all():
            flag = "  (initial password)" if user.initial_password else ""
            click.echo(f"{user.name}\t{user.role}{flag}")


def _run(action: str, data_dir: Path, name: str, body, **details: str) -> None:  # type: ignore[no-untyped-def]
    with _open(data_dir) as instance:
        try:
            with instance.store.transaction():
                body(instance)
        except OpensccError as error:
            raise click.ClickException(error.message) from None
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        instance.audit.record(f"user.{action}", actor="cli", user=name, **details)


@users_group.command("add")
@data_dir_option
@click.argument("name")
@click.option("--role", type=_ROLE_CHOICES, required=True, help="The user's role.")
def add_user(data_dir: Path, name: str, role: str) -> None:
    """Add a user with a role."""
    password = read_secret(f"Password for {name}", confirm=True)
    _run(
        "added",
        data_dir,
        name,
        lambda i: i.users.add(name, role, password),
        role=canonical_role(role),
    )
    click.echo(f"added {name} ({ROLE_ALIASES.get(role, role)})")


@users_group.command("remove")
@data_dir_option
@click.argument("name")
def remove_user(data_dir: Path, name: str) -> None:
    """Remove a user (not the last administrator)."""
    _run("removed", data_dir, name, lambda i: i.users.remove(name))
    click.echo(f"removed {name}")


@users_group.command("set-password")
@data_dir_option
@click.argument("name")
def set_password(data_dir: Path, name: str) -> None:
    """Set a user's password."""
    password = read_secret(f"New password for {name}", confirm=True)
    _run("password_set", data_dir, name, lambda i: i.users.set_password(name, password))
    click.echo(f"password of {name} set")


@users_group.command("use-file-store")
@data_dir_option
def use_file_store(data_dir: Path) -> None:
    """Turn LDAP authentication off: logons go to the local users again (the product's
    useFileUserStore). The LDAP configuration is kept, off; a running server follows at once."""
    with _open(data_dir) as instance:
        with instance.store.transaction():
            configuration = load_ldap(instance.store)
            was_on = configuration.enabled
            if configuration.servers or was_on:
                save_ldap(instance.store, dataclasses.replace(configuration, enabled=False))
        instance.audit.record("ldap.changed", actor="cli", enabled=False)
    click.echo(
        "LDAP authentication turned off: local users log on again"
        if was_on
        else "LDAP authentication was already off: local users log on"
    )

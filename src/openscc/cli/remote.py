"""What the commands that talk to a server share: connection options, passwords, the client.

Passwords never come from the command line. Each is read, first found wins, from its file option,
its environment variable, or a hidden prompt when standard input is a terminal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx

from openscc.cli.passwords import PASSWORD_ENV, read_secret
from openscc.client.api import OpensccClient
from openscc.client.wire import normalize_url, tls_verify

DEFAULT_TIMEOUT = 300.0

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class ClientHooks:
    """What embedding code (and the tests) may pass as click's ``obj``: an httpx transport per
    base URL instead of the network, and how often to poll while a server restarts."""

    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    poll_interval: float = 0.5

    def transport(self, url: str) -> httpx.AsyncBaseTransport | None:
        return self.transports.get(url.rstrip("/"))


def hooks() -> ClientHooks:
    obj = click.get_current_context().find_object(ClientHooks)
    return obj if obj is not None else ClientHooks()


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and how to reach one Cloud Connector; the login password is read on use."""

    url: str
    user: str
    password_file: Path | None
    ca_file: Path | None
    insecure: bool
    timeout: float

    def login_password(self) -> str:
        return read_secret(
            self.password_file,
            PASSWORD_ENV,
            "--password-file",
            f"Password of {self.user} at {self.url}",
        )

    def client(self, password: str) -> OpensccClient:
        """A client logged in as this user with ``password`` (see ``login_password``)."""
        try:
            verify = tls_verify(False if self.insecure else (self.ca_file or True))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--ca-file") from None
        options = hooks()
        return OpensccClient(
            self.url,
            self.user,
            password,
            verify=verify,
            timeout=self.timeout,
            poll_interval=options.poll_interval,
            transport=options.transport(self.url),
        )


def _url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_url(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _connection_option_list(required: bool) -> tuple[Callable[[F], F], ...]:
    return (
        click.option(
            "--url",
            envvar="OPENSCC_URL",
            required=required,
            callback=_url,
            help="Base URL of the Cloud Connector, e.g. https://scc.example.com:8443 (env OPENSCC_URL).",
        ),
        click.option(
            "--user",
            envvar="OPENSCC_USER",
            required=required,
            help="User to log in as, with basic auth (env OPENSCC_USER).",
        ),
        click.option(
            "--password-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Read the login password from the first line of this file. Otherwise it is taken "
            f"from ${PASSWORD_ENV}, else asked for at a hidden prompt.",
        ),
        click.option(
            "--ca-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Trust this CA (PEM) for the server's TLS certificate, e.g. a private CA.",
        ),
        click.option(
            "--insecure",
            is_flag=True,
            help="Do not verify the server's TLS certificate (only for a self-signed test server).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds to wait for the server's answer to one request.",
        ),
    )


def connection_options(func: F) -> F:
    """Add --url, --user, --password-file, --ca-file, --insecure and --timeout as ``connection``."""
    return _with_connection(func, required=True)


def optional_connection_options(func: F) -> F:
    """The same options, not required: ``connection`` is None without --url and --user."""
    return _with_connection(func, required=False)


def _with_connection(func: F, *, required: bool) -> F:
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        url: str | None,
        user: str | None,
        password_file: Path | None,
        ca_file: Path | None,
        insecure: bool,
        timeout: float,
        **kwargs: Any,
    ) -> Any:
        if insecure and ca_file is not None:
            raise click.UsageError("--insecure and --ca-file contradict each other; choose one")
        connection = None
        if url is not None and user is not None:
            connection = Connection(url, user, password_file, ca_file, insecure, timeout)
        return func(*args, connection=connection, **kwargs)

    for option in reversed(_connection_option_list(required)):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]

"""``--source`` and its companions for ``openscc backup schedule add``: a schedule that backs up
another Cloud Connector (SAP's or openscc) through its documented backup API. Its password comes
from ``--source-password-file``, ``$OPENSCC_SOURCE_PASSWORD`` or a hidden prompt, never the
command line; its certificate is pinned (``--source-certificate``) or checked against a CA
(``--source-ca-file``): never unverified."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from openscc.cli.passwords import read_secret

SOURCE_PASSWORD_ENV = "OPENSCC_SOURCE_PASSWORD"  # noqa: S105 - a variable name
F = TypeVar("F", bound=Callable[..., Any])
_PEM_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

_OPTIONS = (
    click.option("--source", "source_url", metavar="URL",
                 help="Back up this Cloud Connector (https://host:port) instead of this server."),
    click.option("--source-user", help="The source connector's user (an administrator)."),
    click.option("--source-certificate", type=_PEM_FILE,
                 help="The source's UI certificate (PEM), pinned."),
    click.option("--source-ca-file", type=_PEM_FILE,
                 help="A CA (PEM) the source's certificate chains to, instead of pinning it."),
    click.option("--source-password-file", type=_PEM_FILE,
                 help=f"The source user's password, first line; else ${SOURCE_PASSWORD_ENV}, "
                 "else a hidden prompt."),
)  # fmt: skip


def source_options(func: F) -> F:
    """Adds the options and passes ``source``: the API's source object, or None."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        source_url: str | None,
        source_user: str | None,
        source_certificate: Path | None,
        source_ca_file: Path | None,
        source_password_file: Path | None,
        **kwargs: Any,
    ) -> Any:
        source = None
        if source_url is None:
            if source_user or source_certificate or source_ca_file or source_password_file:
                raise click.UsageError("the --source-* options need --source URL")
        else:
            if not source_user:
                raise click.UsageError("--source needs --source-user")
            if (source_certificate is None) == (source_ca_file is None):
                raise click.UsageError(
                    "--source needs --source-certificate (pinned) or --source-ca-file: a source "
                    "is never backed up unverified"
                )
            source = {"type": "connector", "url": source_url, "user": source_user}
            if source_certificate is not None:
                source["certificate"] = source_certificate.read_text()
            if source_ca_file is not None:
                source["caCertificate"] = source_ca_file.read_text()
            source["password"] = read_secret(
                source_password_file, SOURCE_PASSWORD_ENV, "--source-password-file",
                f"Password of {source_user} at {source_url}",
            )  # fmt: skip
        return func(*args, source=source, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]

"""``--azure-account`` and its companions for ``openscc backup schedule add``: a schedule that
ships to a container of Azure Blob Storage. The account key comes from ``--azure-key-file`` or
``$OPENSCC_AZURE_ACCOUNT_KEY``, a SAS token from ``--azure-sas-file`` or
``$OPENSCC_AZURE_SAS_TOKEN``, never from the command line; with neither, the server's Azure
credential chain applies."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from openscc.cli.passwords import read_secret

AZURE_KEY_ENV = "OPENSCC_AZURE_ACCOUNT_KEY"
AZURE_SAS_ENV = "OPENSCC_AZURE_SAS_TOKEN"
F = TypeVar("F", bound=Callable[..., Any])
_SECRET_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

_OPTIONS = (
    click.option("--azure-account", help="Target: an Azure storage account (its name)."),
    click.option("--azure-container", help="The account's blob container."),
    click.option("--azure-prefix", default="", help="Blob name prefix in the container."),
    click.option("--azure-endpoint", default="", metavar="URL",
                 help="The blob service's URL (Azurite, Azure Stack, a sovereign cloud, a private "
                 "endpoint); default: https://ACCOUNT.blob.core.windows.net."),
    click.option("--azure-key-file", type=_SECRET_FILE,
                 help=f"The account key, first line; else ${AZURE_KEY_ENV}."),
    click.option("--azure-sas-file", type=_SECRET_FILE,
                 help=f"A SAS token instead, first line; else ${AZURE_SAS_ENV}. With neither a "
                 "key nor a token, the server's Azure credential chain applies."),
)  # fmt: skip


def azure_options(func: F) -> F:
    """Adds the options and passes ``azure_target``: the API's Azure target, or None."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        azure_account: str | None,
        azure_container: str | None,
        azure_prefix: str,
        azure_endpoint: str,
        azure_key_file: Path | None,
        azure_sas_file: Path | None,
        **kwargs: Any,
    ) -> Any:
        target = None
        if azure_account is None:
            if (
                azure_container
                or azure_prefix
                or azure_endpoint
                or azure_key_file
                or azure_sas_file
            ):
                raise click.UsageError("the --azure-* options need --azure-account")
        else:
            if not azure_container:
                raise click.UsageError("--azure-account needs --azure-container")
            target = {"type": "azure", "account": azure_account, "container": azure_container}
            for key, value in (("prefix", azure_prefix), ("endpoint", azure_endpoint)):
                if value:
                    target[key] = value
            target.update(_secret(azure_key_file, azure_sas_file))
        return func(*args, azure_target=target, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def _secret(key_file: Path | None, sas_file: Path | None) -> dict[str, str]:
    """The key or the token given (a file first, else its variable), or none: never asked for,
    since none is a choice (the server's credential chain)."""
    key = key_file is not None or bool(os.environ.get(AZURE_KEY_ENV))
    sas = sas_file is not None or bool(os.environ.get(AZURE_SAS_ENV))
    if key and sas:
        raise click.UsageError(
            f"give an account key (--azure-key-file or ${AZURE_KEY_ENV}) or a SAS token "
            f"(--azure-sas-file or ${AZURE_SAS_ENV}), not both"
        )
    if key:
        return {"accessKey": read_secret(key_file, AZURE_KEY_ENV, "--azure-key-file", "")}
    if sas:
        return {"sasToken": read_secret(sas_file, AZURE_SAS_ENV, "--azure-sas-file", "")}
    return {}

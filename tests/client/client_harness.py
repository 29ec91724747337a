"""Running the CLI against in-process servers (``support.in_process.InProcessServer``).

server = make_server()                    # a fixture: an instance with ADMIN_PASSWORD
invoke(server, "backup", "create", ...)   # runs the CLI with the server's transport
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from click.testing import CliRunner, Result

from openscc.cli import cli
from openscc.cli.remote import ClientHooks
from support.apps import ADMIN_PASSWORD
from support.apps import ADMINISTRATOR as ADMIN
from support.in_process import BACKUP_PASSWORD, InProcessServer, RecordingTransport

__all__ = [
    "ADMIN",
    "ADMIN_PASSWORD",
    "BACKUP_PASSWORD",
    "CLEAN_ENV",
    "InProcessServer",
    "RecordingTransport",
    "invoke",
    "remote",
]
# The CLI's own variables, so a developer's shell cannot leak into a test.
CLEAN_ENV: dict[str, str | None] = {
    "OPENSCC_URL": None,
    "OPENSCC_USER": None,
    "OPENSCC_PASSWORD": ADMIN_PASSWORD,
    "OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD,
}


def invoke(
    servers: InProcessServer | list[InProcessServer],
    *args: str,
    env: Mapping[str, str | None] | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    input: str | None = None,
) -> Result:
    """Run ``openscc ARGS`` with the servers (and any other transports by URL) reachable
    in-process; the result, never raising."""
    listed = servers if isinstance(servers, list) else [servers]
    by_url = {s.url: s.transport for s in listed} | dict(transports or {})
    hooks = ClientHooks(transports=by_url, poll_interval=0.01)
    return CliRunner().invoke(
        cli, list(args), obj=hooks, env={**CLEAN_ENV, **(env or {})}, input=input
    )


def remote(server: InProcessServer, *args: str) -> list[str]:
    """The connection arguments for ``server``."""
    return [*args, "--url", server.url, "--user", ADMIN]

"""A small typed client for the Cloud Connector's documented backup API (openscc or SAP's own).

    async with OpensccClient("https://scc.example.com:8443", "Administrator", password) as scc:
        await scc.create_backup(backup_password, "scc.zip")

It never imports the server: it speaks HTTPS only, so it works against any Cloud Connector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openscc.errors import TlsVerificationFailed

if TYPE_CHECKING:
    from openscc.client.api import BackupFile, OpensccClient
    from openscc.client.progress import ProgressCallback
    from openscc.client.wire import tls_verify

__all__ = ["BackupFile", "OpensccClient", "ProgressCallback", "TlsVerificationFailed", "tls_verify"]


def __getattr__(name: str) -> Any:
    # The HTTP client (httpx) is imported when it is used, not for ``openscc.client.offline``
    # or the command line's start (PEP 562).
    if name in ("BackupFile", "OpensccClient", "tls_verify"):
        from openscc.client import api

        return getattr(api, name)
    if name == "ProgressCallback":
        from openscc.client import progress

        return progress.ProgressCallback
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

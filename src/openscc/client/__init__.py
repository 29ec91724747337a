"""A small typed client for the Cloud Connector's documented backup API (openscc or SAP's own).

    async with OpensccClient("https://scc.example.com:8443", "Administrator", password) as scc:
        await scc.create_backup(backup_password, "scc.zip")

It never imports the server: it speaks HTTPS only, so it works against any Cloud Connector.
"""

from __future__ import annotations

from openscc.client.api import BackupFile, OpensccClient, TlsVerificationFailed, tls_verify
from openscc.client.progress import ProgressCallback

__all__ = ["BackupFile", "OpensccClient", "ProgressCallback", "TlsVerificationFailed", "tls_verify"]

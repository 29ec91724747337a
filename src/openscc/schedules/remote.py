"""A backup of another Cloud Connector, through the seed's documented API: ``POST
/api/v1/configuration/backup`` with ``{"password"}``, basic auth and JSON, answered ``200`` with
``application/zip``, streamed to a file (never whole in memory), then verified as far as it can
be: an openscc archive completely (manifest, MAC, every record, with the password); any other
archive as a ZIP (its central directory reads, every member's CRC checks, not empty). Errors
name their cause: unreachable, TLS (with the fingerprint presented), 401/403, not a ZIP, timeout.
Blocking: a run's worker calls it."""

from __future__ import annotations

import json
import ssl
import urllib.parse
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import httpx

from openscc import __version__
from openscc.client.offline import verify_backup
from openscc.errors import NotABackup, OpensccError, SourceFailed, WrongPassword
from openscc.ha.peer import fingerprint, served_certificate, tls_context
from openscc.logsafe import shown
from openscc.schedules.sources import Source

BACKUP_PATH = "/api/v1/configuration/backup"
CHUNK = 1024 * 1024
# An answer other than the archive (an error, a dry-run report) is read whole, up to this.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
FULL = "full: an openscc archive (manifest, MAC, every record, with the password)"
STRUCTURAL = "structural: a ZIP whose directory reads and whose members' CRCs check"


def source_context(source: Source) -> ssl.SSLContext:
    if source.certificate:
        return tls_context((source.certificate,))  # pinned: that certificate and no other
    context = ssl.create_default_context(cadata=source.ca_certificate)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def fetch(
    source: Source,
    password: str,
    out: BinaryIO,
    between_chunks: Callable[[], None],
    *,
    timeout: float,
    cap: int,
) -> int:
    """Write the source's backup to ``out``; its size."""
    where = shown(source.url)
    written = 0
    try:
        with httpx.Client(verify=source_context(source), timeout=httpx.Timeout(timeout, connect=10.0)) as client, \
                client.stream("POST", f"{source.url}{BACKUP_PATH}", json={"password": password},
                              auth=(source.user, source.password),
                              headers={"Accept": "application/zip"}) as response:  # fmt: skip
            if response.status_code in (401, 403):
                raise SourceFailed(
                    f"the connector at {where} refused the user {shown(source.user)} "
                    f"({response.status_code})"
                )
            if response.status_code != 200:
                raise SourceFailed(
                    f"the connector at {where} answered {response.status_code}: "
                    f"{message_of(capped_body(response, where))}"
                )
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in ("application/zip", "application/octet-stream"):
                raise SourceFailed(
                    f"the connector at {where} did not answer a ZIP (content type {shown(media)})"
                )
            for chunk in response.iter_bytes(CHUNK):
                written += len(chunk)
                if written > cap:
                    raise SourceFailed(f"the backup of {where} is larger than {cap} bytes")
                out.write(chunk)
                between_chunks()
    except httpx.TimeoutException:
        raise SourceFailed(f"the connector at {where} did not answer in time") from None
    except httpx.HTTPError as error:
        raise SourceFailed(connect_failure(source, error)) from None
    return written


def capped_body(response: httpx.Response, where: str) -> bytes:
    """The answer's body, read up to MAX_ANSWER_BYTES: the connector is another server."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise SourceFailed(
                f"the connector at {where} answered more than {MAX_ANSWER_BYTES} bytes"
            )
    return bytes(body)


def message_of(body: bytes) -> str:
    """A connector's error answer in a line, shown safely."""
    try:
        answer = json.loads(body)
    except ValueError:
        return shown(body.decode("utf-8", "replace"), 200)
    return shown(str(answer.get("message", "")) if isinstance(answer, dict) else str(answer), 200)


def connect_failure(source: Source, error: httpx.HTTPError) -> str:
    where = shown(source.url)
    reason = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason:
        parts = urllib.parse.urlsplit(source.url)
        pem = served_certificate(parts.hostname or "", parts.port or 443, 5.0)
        seen = f" (it presents SHA-256 {fingerprint(pem)})" if pem else ""
        return f"the connector's certificate at {where} is not trusted{seen}"
    return f"the connector at {where} cannot be reached: {shown(reason, 200)}"


def verify(path: Path, password: str) -> str:
    """How the archive was verified (FULL or STRUCTURAL); raises SourceFailed if it fails."""
    try:
        verify_backup(path, password, product_version=__version__)
    except WrongPassword:
        raise SourceFailed(
            "the source's archive does not open with the schedule's password"
        ) from None
    except NotABackup:
        return _structural(path)  # a ZIP, but not openscc's: SAP's own Cloud Connector
    except OpensccError as error:
        raise SourceFailed(f"the source's archive failed its check: {error.message}") from None
    return FULL


def _structural(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            if not archive.infolist():
                raise SourceFailed("the source's archive is an empty ZIP")
            bad = archive.testzip()
    except zipfile.BadZipFile:
        raise SourceFailed("the source did not send a ZIP file") from None
    if bad is not None:
        raise SourceFailed(f"the source's archive is damaged: member {shown(bad)} fails its CRC")
    return STRUCTURAL

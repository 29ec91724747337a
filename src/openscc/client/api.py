"""``OpensccClient``: the Cloud Connector's documented backup API over HTTPS, with basic auth.

Only documented endpoints are used, so the client works against openscc and SAP's Cloud
Connector alike:

    GET  /api/v1/connector/version               who answers (and a session + CSRF token)
    POST /api/v1/configuration/backup            {"password": ...} -> the backup ZIP
    PUT  /api/v1/configuration/backup            multipart backup + password -> restart
    PUT  /api/v1/configuration/backup?dryRun=true   what a restore would change (openscc only;
    GET  /api/openapi.json                          checked first, since a server without a dry
                                                    run might ignore the flag and restore)

Every request carries basic auth, which the server accepts without a CSRF token. The client also
keeps the JSESSIONID cookie the first answer sets (so it uses one session, not one per request)
and echoes the X-CSRF-Token it was given on every state-changing call, so a server that honours
the session before the credentials still accepts it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from openscc import __version__
from openscc.client.files import save_download
from openscc.client.multipart import BackupUpload
from openscc.client.offline import archive_ui_certificate
from openscc.client.progress import ProgressCallback, no_progress
from openscc.client.restart import PendingRestart, RestartWatch
from openscc.client.wire import (
    BACKUP_PATH,
    CSRF_HEADER,
    CSRF_SENTINELS,
    OPENAPI_PATH,
    PARTIAL_RESTORE_PATH,
    SAFE_METHODS,
    SESSION_COOKIE,
    VERSION_PATH,
    ZIP_TYPES,
    VerifyTypes,
    content_length,
    csrf_refused,
    declares_dry_run,
    error_of,
    media_type,
    normalize_url,
    tls_verify,
    transport_error,
    version_of,
)
from openscc.errors import OpensccError, UnexpectedResponse


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A downloaded backup: where it is, its size and its SHA-256 (hex)."""

    path: Path
    size: int
    sha256: str


class OpensccClient:
    """An async client for one Cloud Connector; use ``async with`` or call ``aclose()``."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        verify: VerifyTypes = True,
        timeout: float = 300.0,
        connect_timeout: float = 10.0,
        poll_interval: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.user = user
        self.poll_interval = poll_interval
        self._csrf_token: str | None = None
        self._pending_restart: PendingRestart | None = None
        # After wait_until_back: the restored UI certificate (PEM) if the server came back with
        # it instead of the certificate this client trusted.
        self.restored_certificate: str | None = None
        self._dry_run_checked = False
        self.credentials = httpx.BasicAuth(user, password)
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=self.credentials,
            verify=tls_verify(verify),
            timeout=self.timeout,
            transport=transport,
            follow_redirects=False,  # a redirect means a login page or a proxy, never the API
            headers={"User-Agent": f"openscc-client/{__version__}"},
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def session_id(self) -> str | None:
        """The JSESSIONID the server gave this client, if any."""
        return self.http.cookies.get(SESSION_COOKIE)

    async def version(self) -> str:
        """The Cloud Connector version the server reports; also proves the login works."""
        response = await self._call("GET", VERSION_PATH)
        if response.status_code != 200:
            raise self.error_of(response)
        return version_of(response)

    async def json_call(self, method: str, path: str, body: Any = None) -> Any:
        """One of openscc's own JSON endpoints: its answer (None for a 204), or the error."""
        if method not in SAFE_METHODS:
            await self._ensure_session()
        response = await self._call(method, path, json=body)
        if response.status_code >= 300:
            raise self.error_of(response)
        return None if response.status_code == 204 else response.json()

    async def create_backup(
        self,
        password: str,
        dst_path: str | os.PathLike[str],
        *,
        progress: ProgressCallback = no_progress,
        overwrite: bool = False,
    ) -> BackupFile:
        """Download a backup encrypted with ``password`` to ``dst_path``, atomically, checked to be
        a complete ZIP; ``dst_path`` is never left partly written."""
        dst = Path(dst_path)
        if dst.exists() and not overwrite:  # noqa: ASYNC240 - one stat before the download
            raise FileExistsError(f"{dst} exists already")
        await self._ensure_session()
        response = await self._call(
            "POST",
            BACKUP_PATH,
            json={"password": password},
            headers={"Accept": "application/zip"},
            stream=True,
        )
        try:
            if response.status_code != 200:
                await response.aread()
                raise self.error_of(response)
            answered = media_type(response)
            if answered not in ZIP_TYPES:
                raise UnexpectedResponse(
                    f"{self.base_url} answered the backup request with {answered or 'no content type'}"
                    ", not a ZIP file; is the URL that of a Cloud Connector?"
                )
            size, sha256 = await save_download(
                response.aiter_bytes(), dst, content_length(response), progress, self.base_url
            )
        except httpx.TransportError as error:
            raise transport_error(error, self.base_url) from error
        finally:
            await response.aclose()
        return BackupFile(path=dst, size=size, sha256=sha256)

    async def dry_run(
        self,
        path: str | os.PathLike[str],
        password: str,
        *,
        progress: ProgressCallback = no_progress,
    ) -> dict[str, Any]:
        """What restoring the backup at ``path`` would change (the server's dry-run report).

        Only a server that declares the dry run in its OpenAPI document gets the upload: one
        that ignored ``dryRun=true`` would restore for real.
        """
        await self._check_dry_run_offered()
        response = await self._upload(Path(path), password, dry_run=True, progress=progress)
        if response.status_code != 200:
            raise self.error_of(response)
        try:
            report = response.json()
        except ValueError:
            report = None
        if not isinstance(report, dict) or report.get("dryRun") is not True:
            raise UnexpectedResponse(f"{self.base_url} did not answer the dry run with a report")
        return report

    async def restore(
        self,
        path: str | os.PathLike[str],
        password: str,
        *,
        progress: ProgressCallback = no_progress,
    ) -> None:
        """Upload the backup at ``path``; the server accepts it, then restarts to apply it.

        Returns when the server has accepted it; call ``wait_until_back`` to wait for the restart.
        """
        response = await self._upload(Path(path), password, dry_run=False, progress=progress)
        if not response.is_success:
            raise self.error_of(response)
        self._pending_restart = PendingRestart(
            session=self.session_id,
            ui_certificate_pem=await asyncio.to_thread(archive_ui_certificate, path, password),
        )

    async def restore_subaccounts(
        self,
        path: str | os.PathLike[str],
        password: str,
        subaccounts: list[str],
        *,
        dry_run: bool = False,
        progress: ProgressCallback = no_progress,
    ) -> dict[str, Any]:
        """openscc's partial restore: the subaccounts (REGION/SUBACCOUNT) from the backup at
        ``path``, everything else untouched, no restart; the server's report."""
        await self._ensure_session()
        upload = BackupUpload(Path(path), password, tuple(("subaccounts", s) for s in subaccounts))
        response = await self._call(
            "PUT",
            PARTIAL_RESTORE_PATH,
            params={"dryRun": "true"} if dry_run else None,
            headers=upload.headers(),
            content_factory=lambda: upload.stream(progress),
        )
        if response.status_code != 200:
            raise self.error_of(response)
        report: dict[str, Any] = response.json()
        return report

    async def wait_until_back(self, timeout: float = 300.0) -> str | None:
        """After ``restore``: wait until the server has restarted and answers again; its version,
        or None when it is back but refuses these credentials (openscc.client.restart). Raises
        RestartTimeout if that does not happen within ``timeout`` seconds. When the server comes
        back with the archive's UI certificate, ``restored_certificate`` holds it afterwards."""
        watch = RestartWatch(self, self._pending_restart)
        try:
            return await watch.wait(timeout)
        finally:
            self._pending_restart = watch.pending
            self.restored_certificate = watch.restored_certificate or self.restored_certificate

    async def offers_dry_run(self) -> bool:
        """Whether the server declares the restore dry run (openscc does; the Cloud Connector,
        which would ignore ``dryRun=true`` and restore for real, does not)."""
        if self._dry_run_checked:
            return True
        response = await self._call("GET", OPENAPI_PATH)
        offered = response.status_code == 200 and declares_dry_run(response.content)
        self._dry_run_checked = offered
        return offered

    async def _check_dry_run_offered(self) -> None:
        if not await self.offers_dry_run():
            raise UnexpectedResponse(
                f"{self.base_url} does not offer a restore dry run (it is an openscc addition); "
                "nothing was uploaded"
            )

    async def _ensure_session(self) -> None:
        # A GET first: it proves the login before a large upload and yields a CSRF token.
        if self._csrf_token is None:
            await self.version()

    async def _upload(
        self, path: Path, password: str, *, dry_run: bool, progress: ProgressCallback
    ) -> httpx.Response:
        await self._ensure_session()
        params = {"dryRun": "true"} if dry_run else None
        upload = BackupUpload(path, password)
        return await self._call(
            "PUT",
            BACKUP_PATH,
            params=params,
            headers=upload.headers(),
            content_factory=lambda: upload.stream(progress),
        )

    def headers_for(self, method: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if method in SAFE_METHODS:
            if self._csrf_token is None:
                headers[CSRF_HEADER] = "Fetch"  # the product hands out the token on request
        elif self._csrf_token is not None:
            headers[CSRF_HEADER] = self._csrf_token
        return headers

    def remember_token(self, response: httpx.Response) -> None:
        token = response.headers.get(CSRF_HEADER)
        if token and token.lower() not in CSRF_SENTINELS:
            self._csrf_token = token

    async def _call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        content_factory: Callable[[], Any] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """Send one request; retried once with a fresh token if the server refused its CSRF token."""
        for attempt in (1, 2):
            request = self.http.build_request(
                method,
                path,
                headers=self.headers_for(method, headers),
                json=json,
                params=params,
                content=content_factory() if content_factory is not None else None,
            )
            try:
                response = await self.http.send(request, stream=stream)
            except httpx.TransportError as error:
                raise transport_error(error, self.base_url) from error
            self.remember_token(response)
            if attempt == 1 and method not in SAFE_METHODS and await csrf_refused(response):
                await response.aclose()
                self._csrf_token = None
                await self.version()
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def error_of(self, response: httpx.Response) -> OpensccError:
        """The error the server answered with, as the class errors.py gives it."""
        return error_of(response, user=self.user, base_url=self.base_url)

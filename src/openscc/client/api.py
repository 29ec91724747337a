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
import hashlib
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from openscc import __version__
from openscc.client.files import AtomicFile, check_complete_zip
from openscc.client.multipart import BackupUpload
from openscc.client.offline import archive_ui_certificate
from openscc.client.progress import ProgressCallback, no_progress
from openscc.errors import (
    Forbidden,
    NotAuthenticated,
    OpensccError,
    RestartTimeout,
    TlsVerificationFailed,
    UnexpectedResponse,
    Unreachable,
    error_from_response,
)

VERSION_PATH = "/api/v1/connector/version"
BACKUP_PATH = "/api/v1/configuration/backup"
OPENAPI_PATH = "/api/openapi.json"
SESSION_COOKIE = "JSESSIONID"
PARTIAL_RESTORE_PATH = "/api/openscc/v1/backup/partial"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ZIP_TYPES = frozenset(
    {"application/zip", "application/octet-stream", "application/x-zip-compressed"}
)
_CSRF_SENTINELS = frozenset({"fetch", "required"})

VerifyTypes = bool | str | os.PathLike[str] | ssl.SSLContext


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A downloaded backup: where it is, its size and its SHA-256 (hex)."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class _PendingRestart:
    """What the client knew of the old server process when it sent a restore."""

    session: str | None
    # The UI certificate in the restored archive (openscc archives): the one the server will
    # present after the restart, if it differs from today's.
    ui_certificate_pem: str | None = None


def pinned_context(certificate_pem: str) -> ssl.SSLContext:
    """A TLS context that trusts exactly this certificate (its own trust anchor, whatever names
    it carries): to check that a restored server is back, and nothing else."""
    context = ssl.create_default_context(cadata=certificate_pem)
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def tls_verify(verify: VerifyTypes) -> bool | ssl.SSLContext:
    """What httpx's ``verify`` gets: True, False, a context, or a context trusting a CA file."""
    if isinstance(verify, bool | ssl.SSLContext):
        return verify
    path = os.fspath(verify)
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as error:
        raise ValueError(f"cannot load the CA file {path}: {error}") from None


def normalize_url(url: str) -> str:
    """The base URL without a trailing slash; only http(s) with a host is accepted."""
    parsed = httpx.URL(url.strip())
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return str(parsed).rstrip("/")


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
        self._pending_restart: _PendingRestart | None = None
        # After wait_until_back: the restored UI certificate (PEM) if the server came back with
        # it instead of the certificate this client trusted.
        self.restored_certificate: str | None = None
        self._dry_run_checked = False
        self._pinned: httpx.AsyncClient | None = None
        self._credentials = httpx.BasicAuth(user, password)
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=self._credentials,
            verify=tls_verify(verify),
            timeout=self._timeout,
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
        await self._http.aclose()

    @property
    def session_id(self) -> str | None:
        """The JSESSIONID the server gave this client, if any."""
        return self._http.cookies.get(SESSION_COOKIE)

    # --- endpoints -------------------------------------------------------------------------------

    async def version(self) -> str:
        """The Cloud Connector version the server reports; also proves the login works."""
        response = await self._call("GET", VERSION_PATH)
        if response.status_code != 200:
            raise self._error(response)
        return _version_of(response)

    async def json_call(self, method: str, path: str, body: Any = None) -> Any:
        """One of openscc's own JSON endpoints: its answer (None for a 204), or the error."""
        if method not in SAFE_METHODS:
            await self._ensure_session()
        response = await self._call(method, path, json=body)
        if response.status_code >= 300:
            raise self._error(response)
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
                raise self._error(response)
            media_type = _media_type(response)
            if media_type not in ZIP_TYPES:
                raise UnexpectedResponse(
                    f"{self.base_url} answered the backup request with {media_type or 'no content type'}"
                    ", not a ZIP file; is the URL that of a Cloud Connector?"
                )
            total = _content_length(response)
            digest = hashlib.sha256()
            done = 0
            with AtomicFile(dst) as out:
                progress(0, total)
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    progress(done, total)
                if total is not None and done != total:
                    raise Unreachable(
                        f"the download from {self.base_url} ended after {done} of {total} bytes"
                    )
                check_complete_zip(out.sync())
                out.commit()
        except httpx.TransportError as error:
            raise self._transport_error(error) from error
        finally:
            await response.aclose()
        return BackupFile(path=dst, size=done, sha256=digest.hexdigest())

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
            raise self._error(response)
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
            raise self._error(response)
        self._pending_restart = _PendingRestart(
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
            raise self._error(response)
        report: dict[str, Any] = response.json()
        return report

    async def wait_until_back(self, timeout: float = 300.0) -> str | None:
        """After ``restore``: wait until the server has restarted and answers again; its version.

        A restart shows as the old process going away (connection refused, 5xx from a proxy) or
        as a new process that no longer knows this client's session. None means the server is
        back but refuses these credentials (the restored configuration has other users).
        Without a preceding ``restore`` this waits only until the server answers.
        Raises RestartTimeout if that does not happen within ``timeout`` seconds.

        If the restored configuration carries another UI certificate, the server comes back with
        it and this client no longer trusts it: the check goes on with a connection that trusts
        exactly the archive's certificate (for this check only), and ``restored_certificate``
        holds it afterwards.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        pending = self._pending_restart
        restarted = pending is None
        went_down = False
        http = self._http
        try:
            return await self._wait(http, pending, deadline, timeout, restarted, went_down)
        finally:
            if self._pinned is not None:
                await self._pinned.aclose()
                self._pinned = None

    async def _wait(
        self,
        http: httpx.AsyncClient,
        pending: _PendingRestart | None,
        deadline: float,
        timeout: float,
        restarted: bool,
        went_down: bool,
    ) -> str | None:
        loop = asyncio.get_running_loop()
        while True:
            remaining = max(deadline - loop.time(), 0.1)
            try:
                response = await http.get(
                    VERSION_PATH, headers=self._headers("GET"), timeout=min(remaining, 10.0)
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                if not _is_certificate_error(error):
                    went_down = restarted = True
                elif pending is not None and pending.ui_certificate_pem and http is self._http:
                    # Back, with the restored UI certificate: check it with that one alone.
                    http = self._pinned_client(pending.ui_certificate_pem)
                    self.restored_certificate = pending.ui_certificate_pem
                    went_down = restarted = True
                    continue
                else:
                    raise self._transport_error(error, during_restart=True) from error
            except httpx.TransportError:
                pass  # e.g. a kept-alive connection the server closed; the next poll opens a new one
            else:
                self._remember_token(response)
                new_session = response.cookies.get(SESSION_COOKIE)
                if (
                    pending is not None
                    and new_session is not None
                    and new_session != pending.session
                ):
                    restarted = True
                if response.status_code >= 500:
                    # A proxy's error page means the process behind it is gone; the server's own
                    # JSON error (a busy database, say) may come from the old process.
                    if _media_type(response) != "application/json":
                        went_down = restarted = True
                elif response.status_code in (401, 403) and pending is not None:
                    # The old process accepted these credentials a moment ago: only the restored
                    # configuration can refuse them, so the server is back.
                    self._pending_restart = None
                    return None
                elif restarted:
                    if response.status_code == 200 and _media_type(response) == "application/json":
                        self._pending_restart = None
                        return _version_of(response)
                    if pending is None and response.status_code in (401, 403):
                        raise self._error(response)
            if loop.time() >= deadline:
                if went_down:
                    raise RestartTimeout(
                        f"{self.base_url} went down to restart but did not answer again within "
                        f"{timeout:g} s"
                    )
                if pending is not None:
                    raise RestartTimeout(
                        f"{self.base_url} did not restart within {timeout:g} s after the restore"
                    )
                raise RestartTimeout(f"{self.base_url} did not answer within {timeout:g} s")
            await asyncio.sleep(min(self.poll_interval, max(deadline - loop.time(), 0)))

    # --- plumbing --------------------------------------------------------------------------------

    def _pinned_client(self, certificate_pem: str) -> httpx.AsyncClient:
        self._pinned = httpx.AsyncClient(
            base_url=self.base_url,
            auth=self._credentials,
            verify=pinned_context(certificate_pem),
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": f"openscc-client/{__version__}"},
        )
        return self._pinned

    async def offers_dry_run(self) -> bool:
        """Whether the server declares the restore dry run (openscc does; the Cloud Connector,
        which would ignore ``dryRun=true`` and restore for real, does not)."""
        if self._dry_run_checked:
            return True
        response = await self._call("GET", OPENAPI_PATH)
        try:
            document: Any = response.json() if response.status_code == 200 else {}
            parameters = document["paths"][BACKUP_PATH]["put"]["parameters"]
            offered = any(p.get("name") == "dryRun" for p in parameters)
        except (ValueError, LookupError, TypeError, AttributeError):
            offered = False
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

    def _headers(self, method: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if method in SAFE_METHODS:
            if self._csrf_token is None:
                headers[CSRF_HEADER] = "Fetch"  # the product hands out the token on request
        elif self._csrf_token is not None:
            headers[CSRF_HEADER] = self._csrf_token
        return headers

    def _remember_token(self, response: httpx.Response) -> None:
        token = response.headers.get(CSRF_HEADER)
        if token and token.lower() not in _CSRF_SENTINELS:
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
            request = self._http.build_request(
                method,
                path,
                headers=self._headers(method, headers),
                json=json,
                params=params,
                content=content_factory() if content_factory is not None else None,
            )
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as error:
                raise self._transport_error(error) from error
            self._remember_token(response)
            if attempt == 1 and method not in SAFE_METHODS and await _csrf_refused(response):
                await response.aclose()
                self._csrf_token = None
                await self.version()
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _transport_error(
        self, error: httpx.TransportError, *, during_restart: bool = False
    ) -> Unreachable:
        if _is_certificate_error(error):
            why = (
                " (the restored configuration may carry another UI certificate)"
                if during_restart
                else ""
            )
            return TlsVerificationFailed(
                f"the TLS certificate of {self.base_url} is not trusted{why}: {_reason(error)}"
            )
        if isinstance(error, httpx.TimeoutException):
            return Unreachable(f"{self.base_url} did not answer in time ({type(error).__name__})")
        return Unreachable(f"cannot reach {self.base_url}: {_reason(error)}")

    def _error(self, response: httpx.Response) -> OpensccError:
        """The error the server answered with, as the class errors.py gives it."""
        try:
            body = response.json()
        except (ValueError, httpx.ResponseNotRead):
            body = None
        error = error_from_response(response.status_code, body)
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return error
        where = f"{response.request.method} {response.request.url.path}"
        status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if isinstance(error, NotAuthenticated):
            return NotAuthenticated(f"{where}: {status}: the user {self.user} could not log in")
        if isinstance(error, Forbidden):
            return Forbidden(f"{where}: {status}: the user {self.user} may not do this")
        if 200 <= response.status_code < 400:
            return UnexpectedResponse(f"{where}: unexpected {status} from {self.base_url}")
        return type(error)(f"{where}: {status}")


def _version_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, str):
        raise UnexpectedResponse(
            f"{response.request.url} did not answer with a Cloud Connector version; is the URL right?"
        )
    return version


def _media_type(response: httpx.Response) -> str:
    header = str(response.headers.get("content-type", ""))
    return header.split(";", 1)[0].strip().lower()


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def _csrf_refused(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    if response.headers.get(CSRF_HEADER, "").lower() == "required":
        return True
    await response.aread()
    return "csrf" in response.text.lower()


def _is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:300]

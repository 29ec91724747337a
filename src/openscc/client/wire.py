"""What the client reads from and sends on the wire, as functions: the documented paths, TLS
trust (a CA file, or exactly one certificate), the errors a response or a transport failure
stands for, and the small facts of a response (its version, media type, length)."""

from __future__ import annotations

import json
import os
import ssl

import httpx

from openscc.errors import (
    Forbidden,
    NotAuthenticated,
    OpensccError,
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
CSRF_SENTINELS = frozenset({"fetch", "required"})

VerifyTypes = bool | str | os.PathLike[str] | ssl.SSLContext


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


def transport_error(
    error: httpx.TransportError, base_url: str, *, during_restart: bool = False
) -> Unreachable:
    """What a failure to talk to ``base_url`` means: TLS not trusted, no answer in time, or
    not reachable."""
    if is_certificate_error(error):
        why = (
            " (the restored configuration may carry another UI certificate)"
            if during_restart
            else ""
        )
        return TlsVerificationFailed(
            f"the TLS certificate of {base_url} is not trusted{why}: {reason(error)}"
        )
    if isinstance(error, httpx.TimeoutException):
        return Unreachable(f"{base_url} did not answer in time ({type(error).__name__})")
    return Unreachable(f"cannot reach {base_url}: {reason(error)}")


def error_of(response: httpx.Response, *, user: str, base_url: str) -> OpensccError:
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
        return NotAuthenticated(f"{where}: {status}: the user {user} could not log in")
    if isinstance(error, Forbidden):
        return Forbidden(f"{where}: {status}: the user {user} may not do this")
    if 200 <= response.status_code < 400:
        return UnexpectedResponse(f"{where}: unexpected {status} from {base_url}")
    return type(error)(f"{where}: {status}")


def version_of(response: httpx.Response) -> str:
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


def media_type(response: httpx.Response) -> str:
    header = str(response.headers.get("content-type", ""))
    return header.split(";", 1)[0].strip().lower()


def content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def csrf_refused(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    if response.headers.get(CSRF_HEADER, "").lower() == "required":
        return True
    await response.aread()
    return "csrf" in response.text.lower()


def is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:300]


def declares_dry_run(document: bytes) -> bool:
    """Whether a server's OpenAPI document declares ``dryRun`` on the restore: openscc does;
    SAP's product does not, and would ignore the parameter and restore for real."""
    try:
        parameters = json.loads(document)["paths"][BACKUP_PATH]["put"].get("parameters", [])
        return any(isinstance(p, dict) and p.get("name") == "dryRun" for p in parameters)
    except (ValueError, LookupError, TypeError, AttributeError):
        return False

"""Talking to the other instance of the pair: HTTPS whose certificate is verified, always.

The peer's certificate is pinned: the pair remembers the certificates it learned over a verified
connection (a host name then need not match: only the holder of that key gets through). Before a
pair exists, the shadow verifies the master against the certificate the administrator gave with
CONNECT, or else against the system's certificate authorities, host name included.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any, BinaryIO

import httpx
from cryptography import x509

from openscc.background.workers import Workers
from openscc.config import certs
from openscc.errors import Conflict, InvalidRequest, OpensccError
from openscc.ha.protocol import BEARER

# What the shadow reads of the master, at most: an answer (a page of changes, a bind) and the
# whole configuration's snapshot. A hostile or broken master cannot make it keep more.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024
_CHUNK = 1024 * 1024


class AnswerTooLarge(OpensccError):
    """The master's answer is larger than the shadow reads."""


class Unreachable(OpensccError):
    """The peer did not answer (connection refused, timeout, TLS failure)."""


class Resync(Exception):
    """The master cannot continue the shadow's history: the whole configuration again."""


class Unpaired(Exception):
    """The master no longer knows this shadow (it was reset, or another shadow bound)."""


def reason_of(error: Exception) -> str:
    """What went wrong with a call to the peer, in its own words, bounded."""
    if isinstance(error, OpensccError):
        return error.message
    text = str(error) or type(error).__name__
    return text[:300]


async def raise_for_answer(response: httpx.Response) -> None:
    """Nothing for a success; else the error the peer's answer stands for."""
    if response.status_code < 400:
        return
    text = (await read_bounded(response, 64 * 1024)).decode("utf-8", "replace")
    try:
        message = str(json.loads(text).get("message", ""))
    except (ValueError, AttributeError):
        message = text[:200]
    if response.status_code == 401:
        raise Unpaired(f"the master refused this shadow's credential: {message}")
    if response.status_code == 410:
        raise Resync()
    if response.status_code == 409:
        raise Conflict(f"the master answered: {message}")
    if response.status_code == 400:
        raise InvalidRequest(f"the master answered: {message}")
    raise Unreachable(f"the master answered {response.status_code}: {message}")


async def read_bounded(response: httpx.Response, cap: int | None = None) -> bytes:
    """A streamed answer's body, refused past ``cap`` bytes (MAX_ANSWER_BYTES by default;
    never read beyond it)."""
    cap = MAX_ANSWER_BYTES if cap is None else cap
    body = bytearray()
    async for chunk in response.aiter_bytes(_CHUNK):
        body += chunk
        if len(body) > cap:
            raise AnswerTooLarge(f"the master's answer is larger than {cap} bytes")
    return bytes(body)


async def read_json(response: httpx.Response, workers: Workers, cap: int | None = None) -> Any:
    """A streamed JSON answer, bounded, parsed off the event loop."""
    body = await read_bounded(response, cap)
    try:
        return await workers.run(json.loads, body)
    except ValueError:
        raise OpensccError("the master's answer is not JSON") from None


async def download(
    response: httpx.Response, out: BinaryIO, workers: Workers, cap: int | None = None
) -> None:
    """A streamed answer written to ``out`` off the event loop, refused past ``cap`` bytes
    (MAX_SNAPSHOT_BYTES by default)."""
    cap = MAX_SNAPSHOT_BYTES if cap is None else cap
    written = 0
    async for chunk in response.aiter_bytes(_CHUNK):
        written += len(chunk)
        if written > cap:
            raise AnswerTooLarge(f"the master's snapshot is larger than {cap} bytes")
        await workers.run(out.write, chunk)


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_ms: int
    request_ms: int

    def httpx(self, *, longer_by: float = 0.0) -> httpx.Timeout:
        request = self.request_ms / 1000 + longer_by
        return httpx.Timeout(request, connect=self.connect_ms / 1000)


def tls_context(pinned: tuple[str, ...]) -> ssl.SSLContext:
    """Verification against these certificates (PEM) only, or, with none, the system's CAs."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if pinned:
        context = ssl.create_default_context(cadata="".join(pinned))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # The pinned certificate itself is the trust anchor (a leaf signed by another CA too).
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        context.check_hostname = False
    return context


def client(
    host: str, port: int, pinned: tuple[str, ...], timeouts: Timeouts, token: str | None = None
) -> httpx.AsyncClient:
    headers = {"Authorization": BEARER + token} if token else {}
    return httpx.AsyncClient(
        base_url=f"https://{_bracketed(host)}:{port}",
        verify=tls_context(pinned),
        timeout=timeouts.httpx(),
        headers=headers,
        follow_redirects=False,
    )


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def fingerprint(pem: str) -> str:
    """SHA-256 of the certificate's DER, as hex pairs (what an administrator compares)."""
    return certs.fingerprint(x509.load_pem_x509_certificate(pem.encode()))


def served_certificate(host: str, port: int, timeout: float) -> str | None:
    """The certificate a TLS server presents, unverified: to tell an administrator which
    fingerprint to check, or for a first CONNECT to pin (trust on first use, then shown)."""
    try:
        pem = ssl.get_server_certificate((host, port), timeout=timeout)
    except OSError:
        return None
    return pem

"""Waiting for a server to come back from the restart a restore causes.

A restart shows as the old process going away (connection refused, 5xx from a proxy) or as a
new process that no longer knows the client's session. A 401/403 after a restore means the
server is back but the restored configuration has other users. Without a preceding restore the
watch waits only until the server answers.

If the restored configuration carries another UI certificate, the server comes back with it and
the client no longer trusts it: the watch goes on with a connection that trusts exactly the
archive's certificate (for this check only), and keeps that certificate in
``restored_certificate``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import httpx

from openscc import __version__
from openscc.client.wire import (
    SESSION_COOKIE,
    VERSION_PATH,
    is_certificate_error,
    media_type,
    pinned_context,
    transport_error,
    version_of,
)
from openscc.errors import OpensccError, RestartTimeout


class Client(Protocol):
    """What the watch uses of the client (openscc.client.api.OpensccClient)."""

    base_url: str
    poll_interval: float
    http: httpx.AsyncClient
    credentials: httpx.BasicAuth
    timeout: httpx.Timeout

    def headers_for(self, method: str) -> dict[str, str]: ...

    def remember_token(self, response: httpx.Response) -> None: ...

    def error_of(self, response: httpx.Response) -> OpensccError: ...


@dataclass(frozen=True, slots=True)
class PendingRestart:
    """What the client knew of the old server process when it sent a restore."""

    session: str | None
    # The UI certificate in the restored archive (openscc archives): the one the server will
    # present after the restart, if it differs from today's.
    ui_certificate_pem: str | None = None


class RestartWatch:
    def __init__(self, client: Client, pending: PendingRestart | None) -> None:
        self.client = client
        self.pending = pending  # None once the server is known to be back
        self.restored_certificate: str | None = None
        self._restarted = pending is None
        self._went_down = False

    async def wait(self, timeout: float) -> str | None:
        """The server's version once it is back (None: back, refusing these credentials)."""
        pinned: httpx.AsyncClient | None = None
        http = self.client.http
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                remaining = max(deadline - loop.time(), 0.1)
                try:
                    response = await http.get(VERSION_PATH, headers=self.client.headers_for("GET"),
                                              timeout=min(remaining, 10.0))  # fmt: skip
                except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                    certificate = self.pending.ui_certificate_pem if self.pending else None
                    if not is_certificate_error(error):
                        self._went_down = self._restarted = True
                    elif certificate and pinned is None:
                        # Back, with the restored UI certificate: check it with that one alone.
                        http = pinned = self._pinned_client(certificate)
                        self.restored_certificate = certificate
                        self._went_down = self._restarted = True
                        continue
                    else:
                        raise transport_error(
                            error, self.client.base_url, during_restart=True
                        ) from error
                except httpx.TransportError:
                    pass  # a kept-alive connection the server closed; the next poll opens another
                else:
                    back, version = self._read(response)
                    if back:
                        return version
                if loop.time() >= deadline:
                    raise self._timeout(timeout)
                await asyncio.sleep(min(self.client.poll_interval, max(deadline - loop.time(), 0)))
        finally:
            if pinned is not None:
                await pinned.aclose()

    def _read(self, response: httpx.Response) -> tuple[bool, str | None]:
        """Whether the answer shows the server back, and its version."""
        self.client.remember_token(response)
        pending = self.pending
        new_session = response.cookies.get(SESSION_COOKIE)
        if pending is not None and new_session is not None and new_session != pending.session:
            self._restarted = True
        if response.status_code >= 500:
            # A proxy's error page means the process behind it is gone; the server's own JSON
            # error (a busy database, say) may come from the old process.
            if media_type(response) != "application/json":
                self._went_down = self._restarted = True
        elif response.status_code in (401, 403) and pending is not None:
            # The old process accepted these credentials a moment ago: only the restored
            # configuration can refuse them, so the server is back.
            self.pending = None
            return True, None
        elif self._restarted:
            if response.status_code == 200 and media_type(response) == "application/json":
                self.pending = None
                return True, version_of(response)
            if pending is None and response.status_code in (401, 403):
                raise self.client.error_of(response)
        return False, None

    def _timeout(self, timeout: float) -> RestartTimeout:
        base_url = self.client.base_url
        if self._went_down:
            return RestartTimeout(
                f"{base_url} went down to restart but did not answer again within {timeout:g} s"
            )
        if self.pending is not None:
            return RestartTimeout(
                f"{base_url} did not restart within {timeout:g} s after the restore"
            )
        return RestartTimeout(f"{base_url} did not answer within {timeout:g} s")

    def _pinned_client(self, certificate_pem: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.client.base_url,
            auth=self.client.credentials,
            verify=pinned_context(certificate_pem),
            timeout=self.client.timeout,
            follow_redirects=False,
            headers={"User-Agent": f"openscc-client/{__version__}"},
        )

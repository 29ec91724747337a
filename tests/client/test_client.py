"""openscc.client against the real app in-process: backup, restore, dry run, sessions, errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_harness import (
    ADMIN,
    ADMIN_PASSWORD,
    BACKUP_PASSWORD,
    InProcessServer,
    RecordingTransport,
)
from starlette.types import Receive, Scope, Send

from openscc import SCC_API_VERSION
from openscc.client import OpensccClient
from openscc.client.offline import verify_backup
from openscc.errors import (
    Forbidden,
    NotABackup,
    NotAuthenticated,
    RestartTimeout,
    UnexpectedResponse,
    Unreachable,
    WrongPassword,
)

DOCUMENTED_PATHS = {"/api/v1/connector/version", "/api/v1/configuration/backup"}
OPENAPI = "/api/openapi.json"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _backup(server: InProcessServer, dst: Path, **options: Any) -> Any:
    async with server.client(**options) as client:
        return await client.create_backup(BACKUP_PASSWORD, dst)


def test_version_is_the_cloud_connector_version(server: InProcessServer) -> None:
    """version() answers the Cloud Connector version the server reports."""

    async def go() -> str:
        async with server.client() as client:
            return await client.version()

    assert run(go()) == SCC_API_VERSION


def test_create_backup_writes_a_verifiable_archive_and_reports_progress(
    server: InProcessServer, tmp_path: Path
) -> None:
    """create_backup writes the whole archive, reports progress up to its size, and hashes it."""
    seen: list[tuple[int, int | None]] = []
    dst = tmp_path / "b.zip"

    async def go() -> Any:
        async with server.client() as client:
            return await client.create_backup(
                BACKUP_PASSWORD, dst, progress=lambda d, t: seen.append((d, t))
            )

    backup = run(go())

    assert backup.size == dst.stat().st_size > 0
    assert seen[-1] == (backup.size, backup.size)
    assert verify_backup(dst, BACKUP_PASSWORD).entities > 0
    import hashlib

    assert backup.sha256 == hashlib.sha256(dst.read_bytes()).hexdigest()
    assert dst.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_client_uses_one_session_and_echoes_the_csrf_token(
    server: InProcessServer, tmp_path: Path
) -> None:
    """The client keeps the JSESSIONID it got and sends its X-CSRF-Token on state-changing calls."""
    run(_backup(server, tmp_path / "b.zip"))

    first, *rest = server.transport.requests
    assert first.method == "GET"
    changing = [r for r in rest if r.method not in ("GET", "HEAD")]
    assert changing, "expected a state-changing request"
    sessions = server.app.state.services.sessions
    assert len(sessions) == 1  # one session, not one per request
    (session,) = sessions._sessions.values()
    for request in changing:
        assert request.headers["X-CSRF-Token"] == session.csrf_token
        assert f"JSESSIONID={session.id}" in request.headers["Cookie"]


class _SessionOnly:
    """A server in front of the app that ignores basic auth once a session cookie is sent."""

    def __init__(self, app: InProcessServer) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope.get("headers", [])
        if any(name == b"cookie" and b"JSESSIONID=" in value for name, value in headers):
            scope = {**scope, "headers": [(n, v) for n, v in headers if n != b"authorization"]}
        await self.app(scope, receive, send)


def test_backup_works_on_a_server_that_trusts_only_the_session_and_token(
    server: InProcessServer, tmp_path: Path
) -> None:
    """Against a server that checks the session's CSRF token instead of basic auth, the backup works."""
    transport = httpx.ASGITransport(app=_SessionOnly(server))

    async def go() -> Any:
        async with OpensccClient(server.url, ADMIN, ADMIN_PASSWORD, transport=transport) as client:
            return await client.create_backup(BACKUP_PASSWORD, tmp_path / "b.zip")

    assert run(go()).size > 0


def test_restore_sends_multipart_then_waits_for_the_restart(
    server: InProcessServer, tmp_path: Path
) -> None:
    """restore uploads multipart/form-data with a length; wait_until_back returns once restarted."""
    dst = tmp_path / "b.zip"
    run(_backup(server, dst))
    server.set_description("changed after the backup")

    async def go() -> str | None:
        async with server.client() as client:
            await client.restore(dst, BACKUP_PASSWORD)
            return await client.wait_until_back(5)

    assert run(go()) == SCC_API_VERSION
    assert server.restarts == 1
    assert server.description() == ""
    put = next(r for r in server.transport.requests if r.method == "PUT")
    assert put.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert int(put.headers["Content-Length"]) > dst.stat().st_size
    assert "Transfer-Encoding" not in put.headers


def test_wait_until_back_times_out_if_the_server_never_restarts(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """If the old process keeps answering, wait_until_back raises RestartTimeout, not success."""
    server = make_server(mode="never")
    dst = tmp_path / "b.zip"
    run(_backup(server, dst))

    async def go() -> None:
        async with server.client() as client:
            await client.restore(dst, BACKUP_PASSWORD)
            await client.wait_until_back(0.3)

    with pytest.raises(RestartTimeout, match="did not restart"):
        run(go())


def test_wait_until_back_times_out_if_the_server_stays_down(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """A server that goes down for its restart and never answers again is a RestartTimeout."""
    server = make_server(mode="down")
    dst = tmp_path / "b.zip"
    run(_backup(server, dst))

    async def go() -> None:
        async with server.client() as client:
            await client.restore(dst, BACKUP_PASSWORD)
            await client.wait_until_back(0.3)

    with pytest.raises(RestartTimeout, match="went down"):
        run(go())


def test_wait_until_back_reports_a_server_that_no_longer_accepts_the_login(
    server: InProcessServer, tmp_path: Path
) -> None:
    """If the restored configuration has another password, the server is back: None, not a hang."""
    dst = tmp_path / "b.zip"
    run(_backup(server, dst))  # holds the Administrator's password "pw"
    with server.instance.store.transaction():
        server.instance.users.set_password(ADMIN, "newer-pw")

    async def go() -> str | None:
        async with server.client(password="newer-pw") as client:
            await client.restore(dst, BACKUP_PASSWORD)
            return await client.wait_until_back(5)

    assert run(go()) is None
    assert server.restarts == 1


def test_dry_run_reports_changes_and_changes_nothing(
    server: InProcessServer, tmp_path: Path
) -> None:
    """dry_run returns the server's report; the configuration and the process stay as they are."""
    dst = tmp_path / "b.zip"
    run(_backup(server, dst))
    server.set_description("changed")

    async def go() -> dict[str, Any]:
        async with server.client() as client:
            return await client.dry_run(dst, BACKUP_PASSWORD)

    report = run(go())

    assert report["dryRun"] is True
    assert report["changes"]["connector"]["changedEntities"][0]["fields"] == ["description"]
    assert server.description() == "changed"
    assert server.restarts == 0


def test_the_client_calls_only_documented_endpoints(
    server: InProcessServer, tmp_path: Path
) -> None:
    """Backup, restore and wait use only the documented Cloud Connector API."""
    dst = tmp_path / "b.zip"

    async def go() -> None:
        async with server.client() as client:
            await client.create_backup(BACKUP_PASSWORD, dst)
            await client.restore(dst, BACKUP_PASSWORD)
            await client.wait_until_back(5)

    run(go())

    assert {r.url.path for r in server.transport.requests} <= DOCUMENTED_PATHS


def test_a_dry_run_is_never_sent_to_a_server_that_does_not_declare_it(tmp_path: Path) -> None:
    """Without dryRun in the server's OpenAPI document, dry_run uploads nothing (it might restore)."""
    methods: list[tuple[str, str]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        methods.append((request.method, request.url.path))
        if request.url.path == "/api/v1/connector/version":
            return httpx.Response(200, json={"version": "2.17.0"})
        return httpx.Response(404, html="<h1>Not Found</h1>")

    archive = tmp_path / "b.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))

    async def go() -> None:
        async with OpensccClient(
            "https://scc.test", ADMIN, "pw", transport=httpx.MockTransport(handle)
        ) as c:
            await c.dry_run(archive, BACKUP_PASSWORD)

    with pytest.raises(UnexpectedResponse, match="does not offer a restore dry run"):
        run(go())
    assert ("PUT", "/api/v1/configuration/backup") not in methods
    assert ("GET", OPENAPI) in methods


def test_server_errors_become_their_error_classes(server: InProcessServer, tmp_path: Path) -> None:
    """Wrong login, forbidden role and wrong backup password raise their own classes with the message."""
    dst = tmp_path / "b.zip"
    run(_backup(server, dst))
    server.add_user("viewer", "sccdisplay", "viewer-pw")

    async def backup_as(user: str, password: str) -> None:
        async with server.client(user=user, password=password) as client:
            await client.create_backup(BACKUP_PASSWORD, tmp_path / "other.zip")

    async def restore_with(password: str) -> None:
        async with server.client() as client:
            await client.restore(dst, password)

    with pytest.raises(NotAuthenticated):
        run(backup_as(ADMIN, "wrong"))
    with pytest.raises(Forbidden, match="requires one of the roles sccadmin"):
        run(backup_as("viewer", "viewer-pw"))
    with pytest.raises(WrongPassword, match="wrong password"):
        run(restore_with("not-the-password"))
    assert not (tmp_path / "other.zip").exists()
    assert server.restarts == 0


def test_an_unreachable_server_is_unreachable(tmp_path: Path) -> None:
    """A refused connection raises Unreachable naming the URL."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async def go() -> None:
        async with OpensccClient(
            "https://down.test", ADMIN, "pw", transport=httpx.MockTransport(refuse)
        ) as c:
            await c.version()

    with pytest.raises(Unreachable, match=r"https://down\.test"):
        run(go())


def _serving(body: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """A fake server: the version endpoint answers; the backup endpoint answers ``body``."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/connector/version":
            return httpx.Response(200, json={"version": "2.17.0"}, headers={"X-CSRF-Token": "t"})
        return body(request)

    return httpx.MockTransport(handle)


class _BreakingStream(httpx.AsyncByteStream):
    """A body that sends some bytes, then the connection breaks."""

    def __init__(self, first: bytes) -> None:
        self.first = first

    async def __aiter__(self) -> Any:
        yield self.first
        raise httpx.ReadError("connection reset by peer")


def test_an_interrupted_download_leaves_no_file(tmp_path: Path) -> None:
    """If the connection breaks mid-download, nothing is left at the output path or beside it."""
    transport = _serving(
        lambda r: httpx.Response(
            200,
            headers={"Content-Type": "application/zip", "Content-Length": "1000"},
            stream=_BreakingStream(b"PK\x03\x04" + b"x" * 100),
        )
    )

    async def go() -> None:
        async with OpensccClient("https://scc.test", ADMIN, "pw", transport=transport) as c:
            await c.create_backup(BACKUP_PASSWORD, tmp_path / "b.zip")

    with pytest.raises(Unreachable):
        run(go())
    assert list(tmp_path.iterdir()) == []


def test_a_download_that_is_not_a_complete_zip_is_refused(tmp_path: Path) -> None:
    """A 200 whose body is not a whole ZIP is NotABackup and leaves no file."""
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as zf:
        zf.writestr("a.txt", "hello" * 100)
    cut = whole.read_bytes()[:-30]
    whole.unlink()
    transport = _serving(
        lambda r: httpx.Response(200, headers={"Content-Type": "application/zip"}, content=cut)
    )

    async def go() -> None:
        async with OpensccClient("https://scc.test", ADMIN, "pw", transport=transport) as c:
            await c.create_backup(BACKUP_PASSWORD, tmp_path / "b.zip")

    with pytest.raises(NotABackup):
        run(go())
    assert list(tmp_path.iterdir()) == []


def test_an_html_answer_is_an_unexpected_response(tmp_path: Path) -> None:
    """A 200 HTML page (a proxy, a login page) instead of a ZIP is UnexpectedResponse."""
    transport = _serving(lambda r: httpx.Response(200, html="<html>login</html>"))

    async def go() -> None:
        async with OpensccClient("https://scc.test", ADMIN, "pw", transport=transport) as c:
            await c.create_backup(BACKUP_PASSWORD, tmp_path / "b.zip")

    with pytest.raises(UnexpectedResponse):
        run(go())


def test_a_refused_csrf_token_is_fetched_again_once(tmp_path: Path) -> None:
    """A 403 'CSRF token required' makes the client fetch a new token and retry once."""
    tokens = iter(["stale", "fresh"])
    sent: list[str | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(
                200, json={"version": "2.17.0"}, headers={"X-CSRF-Token": next(tokens)}
            )
        sent.append(request.headers.get("X-CSRF-Token"))
        if request.headers.get("X-CSRF-Token") != "fresh":
            return httpx.Response(403, headers={"X-CSRF-Token": "Required"})
        with zipfile.ZipFile(tmp_path / "served.zip", "w") as zf:
            zf.writestr("a.txt", "a")
        return httpx.Response(
            200,
            headers={"Content-Type": "application/zip"},
            content=(tmp_path / "served.zip").read_bytes(),
        )

    async def go() -> Any:
        async with OpensccClient(
            "https://scc.test", ADMIN, "pw", transport=httpx.MockTransport(handle)
        ) as c:
            return await c.create_backup(BACKUP_PASSWORD, tmp_path / "b.zip")

    assert run(go()).size > 0
    assert sent == ["stale", "fresh"]


@pytest.mark.slow
def test_the_client_package_does_not_import_the_server() -> None:
    """openscc.client (with its fleet and offline parts) never imports starlette or uvicorn."""
    code = (
        "import sys, openscc.client, openscc.client.fleet, openscc.client.offline;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn'));"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_recording_transport_is_what_the_server_sees(server: InProcessServer) -> None:
    """The harness's transport records every request (so the tests above can trust it)."""
    assert isinstance(server.transport, RecordingTransport)

    async def go() -> None:
        async with server.client() as client:
            await client.version()

    run(go())
    assert [r.url.path for r in server.transport.requests] == ["/api/v1/connector/version"]


def _restarting_server(
    after_restore: list[httpx.Response],
) -> tuple[httpx.MockTransport, list[httpx.Response]]:
    """A fake server: a session at login, 204 to the restore, then ``after_restore`` to each poll
    (the last one repeated); the second list collects what the polls were answered."""
    answered: list[httpx.Response] = []
    restored = False

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal restored
        if request.method == "PUT":
            restored = True
            return httpx.Response(204)
        if not restored:
            return httpx.Response(
                200,
                json={"version": "2.17.0"},
                headers={"Set-Cookie": "JSESSIONID=OLD; Path=/; Secure", "X-CSRF-Token": "t"},
            )
        answer = after_restore.pop(0) if len(after_restore) > 1 else after_restore[0]
        answered.append(answer)
        return answer

    return httpx.MockTransport(handle), answered


def _restore_and_wait(transport: httpx.MockTransport, tmp_path: Path, timeout: float) -> str | None:
    archive = tmp_path / "b.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))

    async def go() -> str | None:
        async with OpensccClient(
            "https://scc.test", ADMIN, "pw", transport=transport, poll_interval=0.01
        ) as c:
            await c.restore(archive, BACKUP_PASSWORD)
            return await c.wait_until_back(timeout)

    return run(go())


def test_wait_counts_a_proxys_error_page_as_the_restart(tmp_path: Path) -> None:
    """Old process answering, then a proxy's 502 page, then an answer: back only after the 502."""
    same = httpx.Response(200, json={"version": "2.17.0"})
    transport, answered = _restarting_server(
        [
            same,
            httpx.Response(502, html="<h1>Bad Gateway</h1>"),
            httpx.Response(200, json={"version": "2.17.1"}),
        ]
    )

    assert _restore_and_wait(transport, tmp_path, 5) == "2.17.1"
    assert [r.status_code for r in answered] == [200, 502, 200]


def test_wait_does_not_take_the_old_process_s_own_503_for_a_restart(tmp_path: Path) -> None:
    """A JSON 503 from the server itself, then the same session answering: not restarted, timeout."""
    busy = httpx.Response(503, json={"type": "RUNTIME_FAILURE", "message": "the database is busy"})
    transport, _ = _restarting_server([busy, httpx.Response(200, json={"version": "2.17.0"})])

    with pytest.raises(RestartTimeout, match="did not restart"):
        _restore_and_wait(transport, tmp_path, 0.2)


def test_wait_counts_a_new_session_as_the_restart(tmp_path: Path) -> None:
    """A process that hands out a new JSESSIONID is a new process: the server is back."""
    transport, answered = _restarting_server(
        [
            httpx.Response(200, json={"version": "2.17.0"}),
            httpx.Response(
                200,
                json={"version": "2.17.0"},
                headers={"Set-Cookie": "JSESSIONID=NEW; Path=/; Secure"},
            ),
        ]
    )

    assert _restore_and_wait(transport, tmp_path, 5) == "2.17.0"
    assert len(answered) == 2

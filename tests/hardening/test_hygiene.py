"""Hygiene of a real ``openscc serve`` after a full scenario: no secret in any log or plain file,
security headers on every answer, private modes on the data directory and its key files.

The scenario uses every kind of secret the server handles: the form login and its session id and
CSRF token, the initial password change, a user whose password comes from the CLI's standard input
(and a failed login with a wrong password), a subaccount's cloud password, the proxy password, a
PKCS#12 upload with its password and private key, and a backup with its password, restored (so the
server restarts and writes a safety backup).
"""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from openscc.api.http.middleware import SECURITY_HEADERS
from openscc.config import certs, key_pairs
from openscc.layout import DATABASE, PLACES, DataDir
from support.server_process import ServerProcess

pytestmark = pytest.mark.slow

ADMIN = "Administrator"
INITIAL = "manage"
NEW_ADMIN_PASSWORD = "Hyg-Admin-pw-5c1d8e"
USER = "hygiene-display"
USER_PASSWORD = "Hyg-User-pw-93b7a0"
WRONG_PASSWORD = "Hyg-Wrong-pw-2f6c41"
CLOUD_PASSWORD = "Hyg-Cloud-pw-7a0e52"
PROXY_PASSWORD = "Hyg-Proxy-pw-4d9b13"
P12_PASSWORD = "Hyg-P12-pw-b82f07"
BACKUP_PASSWORD = "Hyg-Backup-pw-e61a39"
CONFIG = "/api/v1/configuration"
CONNECTOR = f"{CONFIG}/connector"
REGION = "cf.eu10.hana.ondemand.com"
SUBACCOUNT = "0e0e0e0e-0000-4000-8000-00000000000a"


class Recorder:
    """Every response the scenario gets, and every session id and CSRF token handed out."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []
        self.tokens: set[str] = set()

    def __call__(self, response: httpx.Response) -> None:
        self.responses.append(response)
        if token := response.headers.get("x-csrf-token"):
            self.tokens.add(token)
        for cookie in response.headers.get_list("set-cookie"):
            name, _, rest = cookie.partition("=")
            if name.strip() == "JSESSIONID":
                self.tokens.add(rest.split(";", 1)[0])


def _client(server: ServerProcess, recorder: Recorder, **options: object) -> httpx.Client:
    # The UI certificate may change during the scenario; loopback only.
    return httpx.Client(
        base_url=server.url,
        verify=False,
        timeout=30.0,
        event_hooks={"response": [recorder]},
        **options,
    )  # type: ignore[arg-type]


def _ok(response: httpx.Response) -> httpx.Response:
    assert 200 <= response.status_code < 300, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response


def _add_user_through_cli(server: ServerProcess) -> str:
    """`openscc users add` with the password on standard input (twice: it asks to confirm)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSCC_")}
    env["OPENSCC_KDF_PROFILE"] = "test"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openscc",
            "users",
            "add",
            USER,
            "--role",
            "sccdisplay",
            "--data-dir",
            str(server.data_dir),
        ],
        input=f"{USER_PASSWORD}\n{USER_PASSWORD}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def _scenario(server: ServerProcess, recorder: Recorder, key_pem: bytes, pkcs12: bytes) -> str:
    """Run the scenario; the CLI's output."""
    with _client(server, recorder) as browser:
        # Form login with the initial password, then change it with the session and its CSRF token.
        login = _ok(
            browser.post("/j_security_check", data={"j_username": ADMIN, "j_password": INITIAL})
        )
        csrf = login.headers["x-csrf-token"]
        _ok(
            browser.put(
                f"{CONNECTOR}/authentication/basic",
                headers={"X-CSRF-Token": csrf},
                json={"oldPassword": INITIAL, "newPassword": NEW_ADMIN_PASSWORD},
            )
        )
    with _client(server, recorder, auth=(ADMIN, NEW_ADMIN_PASSWORD)) as admin:
        _ok(admin.post(f"{CONNECTOR}/haRole", json="master"))
        cli_output = _add_user_through_cli(server)
        with _client(server, recorder) as anyone:
            assert (
                anyone.get(f"{CONFIG}/subaccounts", auth=(USER, WRONG_PASSWORD)).status_code == 401
            )
            _ok(anyone.get(f"{CONFIG}/subaccounts", auth=(USER, USER_PASSWORD)))
        _ok(
            admin.post(
                f"{CONFIG}/subaccounts",
                json={
                    "regionHost": REGION,
                    "subaccount": SUBACCOUNT,
                    "cloudUser": "cloud@example.com",
                    "cloudPassword": CLOUD_PASSWORD,
                    "displayName": "hygiene",
                },
            )
        )
        _ok(
            admin.put(
                f"{CONNECTOR}/proxy",
                json={
                    "host": "proxy.corp",
                    "port": 8080,
                    "user": "proxy-user",
                    "password": PROXY_PASSWORD,
                },
            )
        )
        _ok(
            admin.put(
                f"{CONNECTOR}/onPremise/ppCaCertificate",
                files={
                    "pkcs12": ("ca.p12", pkcs12, "application/x-pkcs12"),
                    "password": (None, P12_PASSWORD),
                },
            )
        )
        # Errors on the way must not echo secrets either.
        assert (
            admin.put(
                f"{CONNECTOR}/onPremise/systemCertificate",
                files={
                    "pkcs12": ("bad.p12", b"not a keystore", "application/x-pkcs12"),
                    "password": (None, P12_PASSWORD),
                },
            ).status_code
            == 400
        )
        archive = _ok(admin.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD})).content
        assert (
            admin.put(
                f"{CONFIG}/backup",
                files={"backup": ("b.zip", archive)},
                data={"password": WRONG_PASSWORD},
            ).status_code
            == 400
        )
        _ok(
            admin.put(
                f"{CONFIG}/backup",
                files={"backup": ("b.zip", archive)},
                data={"password": BACKUP_PASSWORD},
            )
        )
    # The restart is done once changes are accepted again (409 while the restore is pending).
    deadline = time.monotonic() + 60
    while True:
        try:
            with _client(server, recorder, auth=(ADMIN, NEW_ADMIN_PASSWORD)) as admin:
                if admin.put(CONNECTOR, json={"description": "after restore"}).status_code == 200:
                    _ok(admin.get(f"{CONNECTOR}/proxy"))
                    break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not come back after the restore"
        time.sleep(0.1)
    return cli_output


@pytest.fixture(scope="module")
def scenario(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, Recorder, list[bytes], str]]:
    """A real server through the whole scenario, stopped: (server, recorder, secrets, CLI output)."""
    root = tmp_path_factory.mktemp("hygiene")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hygiene pp ca")])
    pair = certs.self_signed(subject, is_ca=True)
    pkcs12 = key_pairs.to_pkcs12(pair, P12_PASSWORD)
    key_pem = (
        pair.private_key_pem
        if isinstance(pair.private_key_pem, bytes)
        else pair.private_key_pem.encode()
    )
    server = ServerProcess(root / "data", admin_password=None)  # a fresh instance
    recorder = Recorder()
    try:
        server.start()
        cli_output = _scenario(server, recorder, key_pem, pkcs12)
    finally:
        server.stop()
    passwords = [
        NEW_ADMIN_PASSWORD,
        USER_PASSWORD,
        WRONG_PASSWORD,
        CLOUD_PASSWORD,
        PROXY_PASSWORD,
        P12_PASSWORD,
        BACKUP_PASSWORD,
    ]
    secrets = [p.encode() for p in passwords]
    # Basic-auth headers as sent, should a log print one.
    secrets += [
        base64.b64encode(f"{u}:{p}".encode())
        for u, p in (
            (ADMIN, INITIAL),
            (ADMIN, NEW_ADMIN_PASSWORD),
            (USER, USER_PASSWORD),
            (USER, WRONG_PASSWORD),
        )
    ]
    # The private key's PEM body, line by line (each line is 64 base64 characters of the key).
    body = [line for line in key_pem.splitlines() if line and not line.startswith(b"-----")]
    secrets += body[1:-1]
    secrets += [token.encode() for token in recorder.tokens]
    assert len(recorder.tokens) >= 3  # session ids and CSRF tokens were handed out
    return server, recorder, secrets, cli_output


def _plain_files(data_dir: Path) -> list[Path]:
    """Every file of the data directory but the encrypted store (config.db and its journal files)."""
    return [
        p
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and not p.name.startswith(DATABASE.name)
    ]


def _leaks(name: str, text: bytes, secrets: list[bytes]) -> list[str]:
    found = [f"{name}: {secret[:12]!r}..." for secret in secrets if secret in text]
    if b"$argon2" in text:
        found.append(f"{name}: a password hash")
    if b"BEGIN PRIVATE KEY" in text or b"BEGIN RSA PRIVATE KEY" in text:
        found.append(f"{name}: an unencrypted private key")
    return found


def test_no_secret_in_logs_or_plain_files(
    scenario: tuple[ServerProcess, Recorder, list[bytes], str],
) -> None:
    """No password, private key, session id or CSRF token appears in the server log, the CLI's output, the audit log or any file beside the store."""
    server, _recorder, secrets, cli_output = scenario
    files = _plain_files(server.data_dir)
    names = {p.relative_to(server.data_dir).as_posix() for p in files}
    assert {"audit.log", "props.ini", "tls/ui-certificate.pem", "tls/ui-key.pem"} <= names
    assert any(name.startswith("safety-backups/") for name in names)
    log = server.log_text().encode()
    assert b"backup.restored" in (server.data_dir / "audit.log").read_bytes()
    assert b"restarting after a restore" in log

    leaks = _leaks("server log", log, secrets) + _leaks("CLI output", cli_output.encode(), secrets)
    for path in files:
        leaks += _leaks(path.relative_to(server.data_dir).as_posix(), path.read_bytes(), secrets)

    assert not leaks, "secrets found:\n" + "\n".join(leaks)


def test_every_answer_carries_the_security_headers(
    scenario: tuple[ServerProcess, Recorder, list[bytes], str],
) -> None:
    """Every response of the scenario over real TLS (204, 201, 400, 401, 409, a ZIP download) carries the security headers."""
    _server, recorder, _secrets, _cli = scenario
    statuses = {r.status_code for r in recorder.responses}
    assert {200, 201, 204, 400, 401} <= statuses
    missing = [
        f"{r.request.method} {r.request.url.path} ({r.status_code}): {name.decode()}"
        for r in recorder.responses
        for name, value in SECURITY_HEADERS
        if r.headers.get(name.decode()) != value.decode()
    ]

    assert not missing, "\n".join(missing)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_directory_and_key_files_are_private(
    scenario: tuple[ServerProcess, Recorder, list[bytes], str],
) -> None:
    """The data directory and its folders are 0700; master key, TLS key, audit log and safety backups 0600."""
    data_dir = scenario[0].data_dir
    folders = [data_dir] + [p for p in data_dir.rglob("*") if p.is_dir()]
    files = [
        data_dir / "master.key",
        data_dir / "tls" / "ui-key.pem",
        data_dir / "audit.log",
        *sorted((data_dir / "safety-backups").glob("*")),
    ]
    assert len(files) > 3

    wrong = [
        f"{p.relative_to(data_dir.parent)}: {oct(_mode(p))}" for p in folders if _mode(p) != 0o700
    ]
    wrong += [
        f"{p.relative_to(data_dir.parent)}: {oct(_mode(p))}" for p in files if _mode(p) != 0o600
    ]

    assert not wrong, "\n".join(wrong)


def test_every_entry_of_the_data_directory_is_one_the_layout_describes(
    scenario: tuple[ServerProcess, Recorder, list[bytes], str],
) -> None:
    """After backups, a restore and its restart, the data directory holds only what
    openscc.layout names (so the README's table, made from it, lists everything there is)."""
    data_dir = scenario[0].data_dir
    layout = DataDir(data_dir)
    described = {layout.at(place) for place in PLACES} | set(layout.database_side_files)

    present = set(data_dir.iterdir())
    assert present <= described, sorted(str(p.name) for p in present - described)
    assert {layout.database, layout.master_key, layout.tls, layout.safety_backups} <= present

"""Response header names go on the wire as the Cloud Connector (Tomcat) spells them: shell
scripts written against the product grep ``curl -i`` output for ``X-CSRF-Token:``."""

from __future__ import annotations

import base64
import http.client
import re
import ssl
import subprocess
from pathlib import Path

import pytest

from openscc.header_casing import CanonicalHeadTransport, canonical_head, canonical_name
from support.server_process import ServerProcess

# A name as Tomcat sends what openscc sets: each dash-separated word capitalised, the acronyms
# written in capitals.
_WORD = r"(?:[A-Z][a-z0-9]*|CSRF|WWW|XSS|MD5|ETag)"
_WELL_SPELLED = re.compile(rf"^{_WORD}(?:-{_WORD})*$")


@pytest.mark.parametrize(
    ("name", "spelled"),
    [
        (b"x-csrf-token", b"X-CSRF-Token"),
        (b"location", b"Location"),
        (b"set-cookie", b"Set-Cookie"),
        (b"content-type", b"Content-Type"),
        (b"content-disposition", b"Content-Disposition"),
        (b"www-authenticate", b"WWW-Authenticate"),
        (b"retry-after", b"Retry-After"),
        (b"strict-transport-security", b"Strict-Transport-Security"),
        (b"X-Csrf-Token", b"X-CSRF-Token"),
    ],
)
def test_names_are_spelled_as_tomcat_sends_them(name: bytes, spelled: bytes) -> None:
    assert canonical_name(name) == spelled


def test_only_the_head_is_rewritten() -> None:
    head = b"HTTP/1.1 200 OK\r\nx-csrf-token: a-b: c\r\ncontent-type: text/plain\r\n\r\nx-body: y"

    assert canonical_head(head) == (
        b"HTTP/1.1 200 OK\r\nX-CSRF-Token: a-b: c\r\nContent-Type: text/plain\r\n\r\nx-body: y"
    )


class _Written:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)


class _Cycle:
    response_started = False


def test_a_100_continue_and_the_body_pass_through_and_the_head_is_rewritten() -> None:
    written, cycle = _Written(), _Cycle()
    transport = CanonicalHeadTransport(written, cycle)  # type: ignore[arg-type]

    transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    cycle.response_started = True
    transport.write(b"HTTP/1.1 200 OK\r\nlocation: /x\r\n\r\n")
    transport.write(b"HTTP/1.1 200 OK\r\nlocation: /y\r\n\r\n")  # a body that looks like a head

    assert written.chunks == [
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nLocation: /x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nlocation: /y\r\n\r\n",
    ]


def _raw_names(server: ServerProcess, method: str, path: str, **request: object) -> list[str]:
    context = ssl.create_default_context(cafile=str(server.certificate_path))
    connection = http.client.HTTPSConnection(server.host, server.port, context=context, timeout=30)
    try:
        connection.request(method, path, **request)  # type: ignore[arg-type]
        response = connection.getresponse()
        response.read()
        # http.client keeps each name exactly as it arrived.
        return [name for name, _value in response.getheaders()]
    finally:
        connection.close()


@pytest.mark.slow
def test_every_answer_spells_its_header_names_as_the_product(
    running_server: ServerProcess,
) -> None:
    user, password = running_server.admin_auth
    basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    answers = {
        "session": _raw_names(running_server, "GET", "/api/v1/connector/version",
                              headers={"Authorization": basic, "X-CSRF-Token": "Fetch"}),
        "refused": _raw_names(running_server, "GET", "/api/v1/connector/version"),
        "backup": _raw_names(running_server, "POST", "/api/v1/configuration/backup",
                             body=b'{"password":"Header-casing-1"}',
                             headers={"Authorization": basic, "Content-Type": "application/json"}),
        "redirect": _raw_names(running_server, "GET", "/"),
        "not found": _raw_names(running_server, "GET", "/api/v1/nothing/here",
                                headers={"Authorization": basic}),
    }  # fmt: skip

    assert "X-CSRF-Token" in answers["session"]
    assert "Set-Cookie" in answers["session"]
    assert "WWW-Authenticate" in answers["refused"]
    assert "Content-Disposition" in answers["backup"]
    badly_spelled = {
        what: [name for name in names if not _WELL_SPELLED.match(name)]
        for what, names in answers.items()
    }
    assert badly_spelled == {what: [] for what in answers}


@pytest.mark.slow
def test_a_shell_script_restores_with_a_session_found_by_grep(
    running_server: ServerProcess, tmp_path: Path
) -> None:
    """What public shell scripts do: fetch a CSRF token with curl -i, find it with a
    case-sensitive grep, then back up and restore in that session."""
    script = tmp_path / "restore.sh"
    script.write_text(
        """set -eu
url=$1; ca=$2; user=$3; password=$4
curl -sS -i --cacert "$ca" -u "$user:$password" -c jar -H 'X-CSRF-Token: Fetch' \\
  "$url/api/v1/connector/version" > head.txt
token=$(grep 'X-CSRF-Token:' head.txt | sed 's/X-CSRF-Token: //' | tr -d '\\r')
curl -sS --cacert "$ca" -b jar -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \\
  -X POST -d '{"password":"Shell-backup-1"}' -o backup.zip "$url/api/v1/configuration/backup"
curl -sS --cacert "$ca" -b jar -H "X-CSRF-Token: $token" -X PUT -F backup=@backup.zip \\
  -F password=Shell-backup-1 -o answer.txt -w '%{http_code}' "$url/api/v1/configuration/backup"
"""
    )
    user, password = running_server.admin_auth
    run = subprocess.run(
        ["bash", str(script), running_server.url, str(running_server.certificate_path), user,
         password],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert (run.returncode, run.stdout) == (0, "204"), (
        run.stderr + (tmp_path / "head.txt").read_text()
    )

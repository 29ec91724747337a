"""Directory logons attacked: other spellings of a locked name, and a directory server that
accepts connections and never answers (a real slapd, and a silent listener, on loopback)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from openscc.auth.ldap.logons import DIRECTORY_DOWN
from support.apps import instance_of
from support.ldap_server import CONNECTOR, LDAP_V2, LdapServer, enable_ldap

pytestmark = pytest.mark.slow  # a real slapd


def _events(client: TestClient) -> list[dict[str, object]]:
    path: Path = instance_of(client.app).audit.path  # type: ignore[arg-type]
    return [json.loads(line) for line in path.read_text().splitlines()]


SPELLINGS = ("alice", "Alice", "ALICE", "alice ", " alice", " aLiCe  ")


def test_the_lockout_holds_for_every_spelling_of_a_name(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """Wrong passwords spread over spellings of one name lock that user (the directory matches
    names without case or outer spaces); then no spelling logs on, even with the password."""
    enable_ldap(admin, ldap_directory)
    password = ldap_directory.passwords["alice"]
    assert admin.get(CONNECTOR, auth=("Alice", password)).status_code == 200  # one user

    for attempt in range(5):
        spelling = SPELLINGS[attempt % len(SPELLINGS)]
        assert admin.get(CONNECTOR, auth=(spelling, "wrong-password")).status_code == 401

    answers = [admin.get(CONNECTOR, auth=(s, password)).status_code for s in SPELLINGS]
    assert answers == [401] * len(SPELLINGS)
    actors = {e["actor"] for e in _events(admin) if str(e["event"]).startswith("login.")}
    assert "alice" in actors
    assert actors.isdisjoint({"Alice", "ALICE", "alice ", " alice"})


def test_sessions_of_every_spelling_are_one_users(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    enable_ldap(admin, ldap_directory)
    password = ldap_directory.passwords["alice"]
    for spelling in SPELLINGS[:3]:
        form = TestClient(admin.app, base_url=str(admin.base_url))
        logon = form.post(
            "/j_security_check", data={"j_username": spelling, "j_password": password}
        )
        assert logon.status_code == 204
    sessions = admin.app.state.services.sessions  # type: ignore[attr-defined]

    assert sessions.count_of("alice") == 3
    assert all(sessions.count_of(s) == 0 for s in ("Alice", "ALICE"))


@contextmanager
def silent_listener(port: int) -> Iterator[None]:
    """On ``port``: a listener that accepts LDAP connections and never answers."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()
    for sock in held:
        sock.close()
    listener.close()


def test_a_directory_that_never_answers_is_unreachable_not_a_500(
    admin: TestClient, ldap_directory: LdapServer
) -> None:
    """The directory's port, once its server is gone, accepts connections and never answers:
    the logon waits its read timeout and is refused as with a directory that is down."""
    configuration = ldap_directory.configuration()
    configuration["config"] = ldap_directory.rules(readTimeout="1000", connectionTimeout="1000")
    answer = admin.put(LDAP_V2, json={"enabled": True,
                                      "orderedLdapConfigurations": [configuration]})  # fmt: skip
    assert answer.status_code == 204, answer.text
    ldap_directory.stop()

    with silent_listener(ldap_directory.ldap_port):
        logon = admin.get(CONNECTOR, auth=("alice", ldap_directory.passwords["alice"]))

    assert logon.status_code == 401
    assert logon.json() == {"type": "UNAUTHORIZED", "message": DIRECTORY_DOWN}
    assert _events(admin)[-1]["event"] == "login.directory_unreachable"

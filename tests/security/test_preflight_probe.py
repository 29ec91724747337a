"""The move preflight's probe of the archive's own address, attacked: a props.ini whose host
smuggles a path, a query and a fragment made the server send a request of the attacker's choice
(a blind SSRF); [paths] keys of any name made it a file-existence oracle."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from support.archives import rewritten
from support.in_process import BACKUP_PASSWORD, InProcessServer


@contextmanager
def counting_listener() -> Iterator[tuple[int, list[int]]]:
    """A loopback port, and the number of connections made to it (in a list, as it grows)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted = [0]
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                listener.accept()[0].close()
                accepted[0] += 1
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        listener.close()


def _with_props(server: InProcessServer, text: str) -> bytes:
    """The server's backup as another instance's, with this props.ini (the probe asks whether
    the archive's instance still answers only for another instance's archive)."""
    return rewritten(server.backup(), BACKUP_PASSWORD, files={"props.ini": text.encode()},
                     source_instance="another-instance")  # fmt: skip


def _codes(server: InProcessServer, archive: bytes) -> list[str]:
    answer = server.restore(archive, dry_run=True)
    assert answer.status_code == 200, answer.text
    return [w["code"] for w in answer.json()["warnings"]]


def test_a_host_that_smuggles_a_path_is_not_probed(admin_server: InProcessServer) -> None:
    with counting_listener() as (port, accepted):
        smuggled = f"127.0.0.1:{port}/internal/admin?delete=all#"
        archive = _with_props(admin_server, f"[server]\nhost = {smuggled}\nport = 443\n")

        codes = _codes(admin_server, archive)

    assert accepted == [0]
    assert "SOURCE_STILL_ANSWERS" not in codes


def test_a_plain_address_is_still_probed(admin_server: InProcessServer) -> None:
    """The other side: a host and a port are asked (only whether the health check answers)."""
    with counting_listener() as (port, accepted):
        archive = _with_props(admin_server, f"[server]\nhost = 127.0.0.1\nport = {port}\n")
        _codes(admin_server, archive)

    assert accepted[0] >= 1


def test_only_the_known_path_keys_are_looked_at(admin_server: InProcessServer) -> None:
    archive = _with_props(admin_server, "[server]\nhost = 0.0.0.0\nport = 8443\n[paths]\n"
                          "anything = /no/such/file\naudit_log_dir = /no/such/folder\n")  # fmt: skip

    answer = admin_server.restore(archive, dry_run=True).json()

    missing = [w["message"] for w in answer["warnings"] if w["code"] == "CUSTOM_PATH_MISSING"]
    assert len(missing) == 1
    assert "audit_log_dir" in missing[0]
    assert "anything" not in " ".join(missing)

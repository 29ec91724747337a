"""`openscc serve` on a port another program holds: a clear error before anything is announced."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from support.server_process import LOOPBACK, ServerProcess

pytestmark = pytest.mark.slow  # starts a real server process


def test_a_busy_port_fails_at_once_without_announcing_a_server(
    tmp_path: Path, server_factory: Callable[..., ServerProcess]
) -> None:
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        server = server_factory(tmp_path / "data", port=port)
        server.start(wait=False)
        code = server.wait_exit(timeout=30)

    log = server.log_text()
    assert code == 1
    assert f"cannot listen on {LOOPBACK}:{port}" in log
    assert "serving" not in log.split("--- start:")[-1]
    assert not (tmp_path / "data" / "config.db").exists()

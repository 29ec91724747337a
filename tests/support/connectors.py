"""Helpers of the tests in which one `openscc serve` backs up others (schedules with a source,
the fleet): the Administrator's client of a server, a server as a schedule's source, and the
connector description a test changes and restores.

    with admin_client(manager) as client:
        client.post(SCHEDULES, json={..., "source": source_of(alpha)})
    description_of(alpha)   # None while it restarts
"""

from __future__ import annotations

from typing import Any

import httpx

from support.server_process import ServerProcess

CONNECTOR = "/api/v1/configuration/connector"


def admin_client(server: ServerProcess) -> httpx.Client:
    return server.client(auth=server.admin_auth, timeout=60)


def source_of(server: ServerProcess, **changes: Any) -> dict[str, Any]:
    """``server`` as a schedule's source: its Administrator, its UI certificate pinned."""
    user, password = server.admin_auth
    return {"type": "connector", "url": server.url, "user": user, "password": password,
            "certificate": server.certificate_path.read_text(), **changes}  # fmt: skip


def description_of(server: ServerProcess) -> str | None:
    """The connector's description, or None while it does not answer (restarting)."""
    try:
        with admin_client(server) as client:
            answer = client.get(CONNECTOR)
            return str(answer.json()["description"]) if answer.status_code == 200 else None
    except httpx.TransportError:
        return None

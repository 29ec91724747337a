"""Fixtures of the alert tests: a real SMTP server on loopback, and a connector whose app runs
its lifespan (so its certificate check runs) with a client for the Administrator.

    pki             a test CA and the SMTP server's certificate for 127.0.0.1
    smtp_server     smtp_server(tls="starttls", users=None) -> a started SmtpServer
    connector       connector(**settings) -> Connector: .http (the Administrator's client, the
                    app's lifespan running), .alerts (its AlertService), .server
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from support.alerts_harness import Connector
from support.apps import make_client
from support.in_process import InProcessServer
from support.smtp import MailPki, SmtpServer


@pytest.fixture(autouse=True)
def _fast_keys(pooled_rsa_keys: None) -> None:
    """Key generation is not what these tests check (see support.fast_keys)."""


@pytest.fixture(scope="module")
def pki() -> MailPki:
    return MailPki.make()


@pytest.fixture
def smtp_server(pki: MailPki) -> Iterator[Callable[..., SmtpServer]]:
    with ExitStack() as stack:

        def start(*, tls: str = "starttls", users: dict[str, str] | None = None) -> SmtpServer:
            return stack.enter_context(SmtpServer(pki, tls=tls, users=users))

        yield start


@pytest.fixture
def connector(tmp_path: Path) -> Iterator[Callable[..., Connector]]:
    with ExitStack() as stack:
        made = iter(range(1_000))

        def make(**settings: Any) -> Connector:
            settings.setdefault("alert_check_interval_seconds", 3600.0)
            settings.setdefault("smtp_timeout_seconds", 10.0)
            server = InProcessServer(tmp_path / f"connector-{next(made)}", **settings)
            stack.callback(server.close)
            # Entered, the client runs the app's lifespan: the certificate check starts.
            http = stack.enter_context(make_client(server.app, auth=server.auth))
            return Connector(server=server, http=http)

        yield make

"""The alert tests' harness: a connector with its lifespan running, and ways to make backups and
restores fail as a full disk would.

    connector.configure_email(smtp, **changes)   # sending on, through a SmtpServer, with AUTH
    connector.trust(pem)                         # a certificate into the e-mail trust store
    connector.idle()                             # every alert e-mail sent or failed
    connector.checks()                           # periodic alert checks done so far (a metric)
    connector.wait_for_checks(n)                 # n more checks done
    fail_backups(monkeypatch), fail_restores(monkeypatch)
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from openscc.alerts.service import AlertService
from support.in_process import InProcessServer
from support.smtp import SmtpServer
from support.waiting import wait_for

CONNECTOR = "/api/v1/configuration/connector"
SMTP_USER = "alerts"
SMTP_PASSWORD = "Smtp-Pa55word-of-the-test"


@dataclass
class Connector:
    server: InProcessServer
    http: TestClient

    @property
    def alerts(self) -> AlertService:
        service: AlertService = self.server.app.state.services.alerts
        return service

    def checks(self) -> float:
        for line in self.http.get("/metrics").text.splitlines():
            if line.startswith("openscc_alert_checks_total "):
                return float(line.split()[1])
        raise AssertionError("openscc_alert_checks_total is missing from /metrics")

    def wait_for_checks(self, more: int) -> None:
        """Until ``more`` periodic checks have been done from now (each sees the state now)."""
        done = self.checks()
        wait_for(lambda: self.checks() >= done + more, f"{more} more alert checks")

    def configure_email(self, smtp: SmtpServer, **changes: Any) -> None:
        """Sending on, through ``smtp``, trusting only the e-mail trust store, with AUTH."""
        body = {
            "enabled": True,
            "trustOption": "emailTrustStore",
            "sendTo": "Ops Team <ops@example.com>, oncall@example.com",
            "sendCc": "audit@example.com",
            "sendFrom": "openscc@example.com",
            "smtpHost": "127.0.0.1",
            "smtpPort": smtp.port,
            "smtpUsername": SMTP_USER,
            "smtpPassword": SMTP_PASSWORD,
            **changes,
        }
        response = self.http.put(f"{CONNECTOR}/email", json=body)
        assert response.status_code == 204, response.text

    def trust(self, pem: str) -> None:
        response = self.http.post(
            f"{CONNECTOR}/email/truststore/certificates",
            files={"certificates": ("ca.pem", pem, "application/x-pem-file")},
        )
        assert response.status_code == 201, response.text

    def idle(self) -> None:
        """Wait until every alert e-mail has been sent or has failed."""
        assert self.alerts.wait_idle(15), "alert e-mails still pending"


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def fail_backups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every backup fails writing its archive: the disk is full (500)."""
    monkeypatch.setattr("openscc.backup.create.write_archive", _no_space)


def fail_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every restore fails staging the configuration, after the archive was opened: disk full."""
    monkeypatch.setattr("openscc.backup.restore.build_staged_database", _no_space)

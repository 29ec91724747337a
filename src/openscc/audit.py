"""The audit log: one JSON line per security-relevant event; never a password or key.

Every value in a line is bounded (see ``openscc.logsafe``): a client-supplied user name, path or
key adds at most a few hundred characters to the log, whatever its length.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from openscc.logsafe import bounded, shown

AUDIT_FILE = "audit.log"
logger = logging.getLogger("openscc.audit")


class AuditLog:
    def __init__(self, directory: Path) -> None:
        self.path = directory / AUDIT_FILE
        self._lock = threading.Lock()

    def record(self, event: str, *, actor: str | None, **details: Any) -> None:
        entry = {
            "time": int(time.time() * 1000),
            "event": event,
            "actor": None if actor is None else bounded(actor),
            **{name: bounded(value) for name, value in details.items()},
        }
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"
        with self._lock:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode())
                finally:
                    os.close(fd)
            except OSError as error:
                # The change it records already happened; failing the request would misreport it.
                logger.error("could not append %s to the audit log: %s", event, error.strerror)
        # The audit log is the record; the server log only mentions it when debugging.
        logger.debug("audit %s by %s", event, shown(actor or "-"))

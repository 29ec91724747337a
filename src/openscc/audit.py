"""The audit log: one JSON line per security-relevant event; never a password or key.

Every value in a line is bounded (see ``openscc.logsafe``): a client-supplied user name, path or
key adds at most a few hundred characters to the log, whatever its length.

What is recorded follows the audit level (the product's three): ``OFF`` records nothing,
``SECURITY`` (the default) security events (logons, refused requests, configuration changes),
``ALL`` also every allowed request (``access=True`` events). An event about a subaccount follows
that subaccount's level, which its caller passes; others follow ``level``, the cross-subaccount
one. A change of an audit level is recorded whatever the levels (``always=True``), so that turning
the audit log off leaves a trace.

A line is appended where it is recorded, except on an event loop, which must never wait on a
file (the log may be on a slow or network disk): there it is handed to ``defer`` (the server's
store thread, which appends in order and before it stops), and ``pending`` says how many such
lines are not yet written (the router waits for them before it answers).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openscc.layout import AUDIT_LOG
from openscc.logsafe import bounded, shown

AUDIT_LEVELS = ("OFF", "SECURITY", "ALL")
DEFAULT_LEVEL = "SECURITY"
logger = logging.getLogger("openscc.audit")


class AuditLog:
    def __init__(self, directory: Path) -> None:
        self.path = directory / AUDIT_LOG.name
        self._lock = threading.Lock()
        # The cross-subaccount level; set from the stored settings when the instance opens.
        self.level = DEFAULT_LEVEL
        # Told of every event, whatever the levels record (the server's metrics count them).
        self.observers: list[Callable[[str], None]] = []
        # Set by the server's runtime: queues an append off the event loop.
        self.defer: Callable[[Callable[[], None]], None] | None = None
        self._pending = 0

    def records(self, *, level: str | None = None, access: bool = False) -> bool:
        """Whether an event is recorded: a security event unless the governing level (the
        subaccount's, or else the cross-subaccount one) is OFF, an access event only at ALL."""
        governing = level or self.level
        return governing == "ALL" or (governing == "SECURITY" and not access)

    def record(self, event: str, *, actor: str | None, **details: Any) -> None:
        """A security event of no subaccount (cross-subaccount level)."""
        self.record_event(event, actor=actor, details=details)

    def record_event(
        self,
        event: str,
        *,
        actor: str | None,
        details: dict[str, Any],
        level: str | None = None,
        access: bool = False,
        always: bool = False,
    ) -> None:
        """``level``: the subaccount's level if the event is about one; ``access``: an allowed
        request (recorded at ALL only); ``always``: whatever the levels."""
        if not access:
            for observe in self.observers:
                observe(event)
        if not always and not self.records(level=level, access=access):
            return
        entry = {
            "time": int(time.time() * 1000),
            "event": event,
            "actor": None if actor is None else bounded(actor),
            **{name: bounded(value) for name, value in details.items()},
        }
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"
        if self.defer is not None and _on_event_loop():
            with self._lock:
                self._pending += 1
            self.defer(lambda: self._append(event, line, deferred=True))
        else:
            self._append(event, line, deferred=False)
        # The audit log is the record; the server log only mentions it when debugging.
        logger.debug("audit %s by %s", event, shown(actor or "-"))

    @property
    def pending(self) -> int:
        """Lines handed to ``defer`` and not yet written."""
        return self._pending

    def _append(self, event: str, line: str, *, deferred: bool) -> None:
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
            finally:
                if deferred:
                    self._pending -= 1


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True

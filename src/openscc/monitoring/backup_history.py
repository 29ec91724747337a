"""What the server knows of its backups and restores: the last success and failure of each, kept
in the database (``backup_outcome``; openscc.store.installation) so that a restart (a restore
restarts the server) does not forget them.

A failure is one the server answered 5xx (disk full, a broken store); a request refused for its
input (4xx: no password, not an archive) is the client's error and is not recorded here. The
newest backup known is the newest of the last successful backup and the safety backups a restore
leaves.

The figures are read at every scrape, so they are kept in memory too; each change is handed to
``persist`` (the server queues it for the store thread: the event loop never writes).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from openscc.layout import LEGACY_BACKUP_HISTORY
from openscc.store.entities import EntityStore

# Until schema version 3 the history was a JSON file, imported once (``import_legacy_file``).
BACKUP = "backup"
RESTORE = "restore"
OPERATIONS = (BACKUP, RESTORE)
logger = logging.getLogger("openscc.monitoring")


@dataclass(slots=True)
class Outcomes:
    """Of one operation: when it last succeeded and failed (epoch seconds, 0: never), and the
    size (bytes) and duration (seconds) of its last success."""

    last_success: float = 0.0
    last_failure: float = 0.0
    last_size: int = 0
    last_duration: float = 0.0


Persist = Callable[[str, Outcomes], None]


class BackupHistory:
    def __init__(
        self,
        outcomes: dict[str, Outcomes] | None = None,
        persist: Persist = lambda operation, outcomes: None,
    ) -> None:
        self._lock = threading.Lock()
        self._outcomes = {name: Outcomes() for name in OPERATIONS} | (outcomes or {})
        self._persist = persist

    def succeeded(self, operation: str, *, at: float, size: int, seconds: float) -> None:
        with self._lock:
            outcome = self._outcomes[operation]
            outcome.last_success, outcome.last_size, outcome.last_duration = at, size, seconds
            copy = Outcomes(**asdict(outcome))
        self._persist(operation, copy)

    def failed(self, operation: str, *, at: float) -> None:
        with self._lock:
            outcome = self._outcomes[operation]
            outcome.last_failure = at
            copy = Outcomes(**asdict(outcome))
        self._persist(operation, copy)

    def outcomes(self, operation: str) -> Outcomes:
        with self._lock:
            return Outcomes(**asdict(self._outcomes[operation]))


# On the store's connection (in the store thread, or before the server serves)


def load(store: EntityStore) -> dict[str, Outcomes]:
    rows = store.connection.execute(
        "SELECT operation, last_success, last_failure, last_size, last_duration FROM backup_outcome"
    ).fetchall()
    return {
        operation: Outcomes(float(success), float(failure), int(size), float(duration))
        for operation, success, failure, size, duration in rows
        if operation in OPERATIONS
    }


def save(store: EntityStore, operation: str, outcome: Outcomes) -> None:
    with store.transaction():
        _upsert(store, operation, outcome)


def _upsert(store: EntityStore, operation: str, outcome: Outcomes) -> None:
    store.connection.execute(
        "INSERT INTO backup_outcome "
        "(operation, last_success, last_failure, last_size, last_duration) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (operation) DO UPDATE SET "
        "last_success = excluded.last_success, last_failure = excluded.last_failure, "
        "last_size = excluded.last_size, last_duration = excluded.last_duration",
        (operation, outcome.last_success, outcome.last_failure, outcome.last_size,
         outcome.last_duration),
    )  # fmt: skip


def import_legacy_file(store: EntityStore, data_dir: Path) -> None:
    """Move an older openscc's ``backup-history.json`` into the database, once (the file is
    removed after the transaction that took its content committed)."""
    path = data_dir / LEGACY_BACKUP_HISTORY
    try:
        data: Any = json.loads(path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError) as error:
        logger.warning("%s cannot be read (%s); it is dropped", path.name, error)
        data = None
    with store.transaction():
        for name in OPERATIONS:
            entry = data.get(name) if isinstance(data, dict) else None
            if not isinstance(entry, dict):
                continue
            try:
                outcome = Outcomes(
                    last_success=float(entry.get("last_success", 0)),
                    last_failure=float(entry.get("last_failure", 0)),
                    last_size=int(entry.get("last_size", 0)),
                    last_duration=float(entry.get("last_duration", 0)),
                )
            except (TypeError, ValueError):
                logger.warning("%s: the %s entry cannot be read", path.name, name)
                continue
            _upsert(store, name, outcome)
    path.unlink()
    logger.info("the figures of %s moved into the database", path.name)

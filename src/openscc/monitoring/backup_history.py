"""What the server knows of its backups and restores: the last success and failure of each, kept
in the data directory so that a restart (a restore restarts the server) does not forget them.

A failure is one the server answered 5xx (disk full, a broken store); a request refused for its
input (4xx: no password, not an archive) is the client's error and is not recorded here. The
newest backup known is the newest of the last successful backup and the safety backups a restore
leaves.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openscc.fileio import write_atomically

HISTORY_FILE = "backup-history.json"
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


@dataclass(slots=True)
class History:
    operations: dict[str, Outcomes] = field(
        default_factory=lambda: {name: Outcomes() for name in OPERATIONS}
    )


class BackupHistory:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / HISTORY_FILE
        self._lock = threading.Lock()
        self._history = _load(self._path)

    def succeeded(self, operation: str, *, at: float, size: int, seconds: float) -> None:
        with self._lock:
            outcome = self._history.operations[operation]
            outcome.last_success, outcome.last_size, outcome.last_duration = at, size, seconds
            self._save()

    def failed(self, operation: str, *, at: float) -> None:
        with self._lock:
            self._history.operations[operation].last_failure = at
            self._save()

    def outcomes(self, operation: str) -> Outcomes:
        with self._lock:
            return Outcomes(**asdict(self._history.operations[operation]))

    def _save(self) -> None:
        data = {name: asdict(o) for name, o in self._history.operations.items()}
        try:
            write_atomically(self._path, json.dumps(data, indent=1).encode())
        except OSError as error:
            # The figures stay right in memory; only a restart would forget them.
            logger.error("could not write %s: %s", HISTORY_FILE, error.strerror or error)


def _load(path: Path) -> History:
    history = History()
    try:
        data: Any = json.loads(path.read_text())
    except FileNotFoundError:
        return history
    except (OSError, ValueError) as error:
        logger.warning("%s cannot be read (%s); starting a new one", HISTORY_FILE, error)
        return history
    if isinstance(data, dict):
        for name in OPERATIONS:
            entry = data.get(name)
            if isinstance(entry, dict):
                try:
                    history.operations[name] = Outcomes(
                        last_success=float(entry.get("last_success", 0)),
                        last_failure=float(entry.get("last_failure", 0)),
                        last_size=int(entry.get("last_size", 0)),
                        last_duration=float(entry.get("last_duration", 0)),
                    )
                except (TypeError, ValueError):
                    logger.warning("%s: the %s entry cannot be read", HISTORY_FILE, name)
    return history

"""What a killed process leaves in the data directory: drafts and temporary files that only a
running server writes (a safety backup not yet named, an archive on its way to a client or a
target, a snapshot for the shadow). The server removes them when it starts, before it serves:
one server per data directory, so none of them is still in use then. A ``kill -9`` during a
partial restore left one whole configuration archive per kill."""

from __future__ import annotations

import logging
from pathlib import Path

from openscc.backup.safety import SAFETY_DIR

logger = logging.getLogger("openscc.server")
TMP_DIR = "tmp"
# (folder below the data directory, pattern): drafts named by mkstemp or write_atomically.
_LEFTOVERS = (
    (SAFETY_DIR, ".safety-*.tmp"),
    (SAFETY_DIR, ".split-*.tmp"),
    (TMP_DIR, "*"),
    (".", ".*.tmp"),
    ("tls", ".*.tmp"),
)


def remove_leftovers(data_dir: Path) -> int:
    """Remove the leftovers of an earlier run; how many there were."""
    removed = 0
    for folder, pattern in _LEFTOVERS:
        for path in (data_dir / folder).glob(pattern):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("removed %d file(s) an earlier run left unfinished", removed)
    return removed

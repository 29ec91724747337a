"""What a data directory holds, named once: every file and folder openscc keeps there, what it is,
and which of them a killed process may leave half made (removed at the next start, before the
server serves: one server per data directory, so none of them is still in use then).

``DataDir(root).database`` and the like are the paths; ``PLACES`` describes them for the README's
table (generated, ``make docs``). A new file in the data directory is a new ``Place`` here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger("openscc.server")


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # below the data directory
    what: str
    folder: bool = False
    # Drafts a killed process may leave in it (glob patterns below it), removed at start.
    leftovers: tuple[str, ...] = ()


DATABASE = Place(
    "config.db",
    "the configuration: an SQLite store with schema migrations; "
    "sensitive values (password hashes, private keys, passwords) are sealed with AES-256-GCM "
    "under the master key. Also the installation's own records, which backups do not carry and "
    "a restore keeps: the runs of the backup schedules, the backup figures, the alerts",
)
MASTER_KEY = Place(
    "master.key",
    "the instance's 32-byte master key; without it the sealed values cannot be read",
)
PROPS = Place("props.ini", "host, port, paths and HTTP limits of this instance; flags override "
              "host and port")  # fmt: skip
AUDIT_LOG = Place(
    "audit.log",
    "one JSON line per security-relevant event: logins (success, failure, lockout), password "
    "and user changes, configuration changes, with who and when; never a password or key "
    "(elsewhere if `props.ini` sets `audit_log_dir`)",
)
TLS = Place(
    "tls",
    "the UI certificate and its key (the key encrypted) as the TLS listener reads them, "
    "rewritten from the store at every start",
    folder=True,
    leftovers=(".*.tmp",),
)
TMP = Place(
    "tmp", "archives on their way to a client, a target or a shadow", folder=True,
    leftovers=("*",),
)  # fmt: skip
SAFETY_BACKUPS = Place(
    "safety-backups",
    "the archive of the configuration a restore replaced, written before it changed anything",
    folder=True,
    leftovers=(".safety-*.tmp", ".split-*.tmp"),
)
RESTORE_STAGING = Place(
    "restore-staging", "a restore's new database, until it is applied", folder=True
)
RESTORE_PENDING = Place(
    "restore-pending", "the commit point of a restore: present, the next start applies it"
)
RESTORED_PROPS = Place(
    "props.ini.restored", "the archive's `props.ini`, kept beside this instance's own"
)
STORE_LOCK = Place("store.lock", "held shared by every process that opens the store, exclusive "
                   "while a restore is applied")  # fmt: skip
SERVER_LOCK = Place("server.lock", "one server per data directory; holds its pid while it runs")
ROOT = Place(".", "", leftovers=(".*.tmp",))  # files written atomically, drafts beside them

PLACES = (
    DATABASE, MASTER_KEY, PROPS, AUDIT_LOG, TLS, TMP, SAFETY_BACKUPS, RESTORE_STAGING,
    RESTORE_PENDING, RESTORED_PROPS, STORE_LOCK, SERVER_LOCK,
)  # fmt: skip
# Files of earlier versions, read once into the database and then removed.
LEGACY_BACKUP_RUNS = "backup-runs.json"
LEGACY_BACKUP_HISTORY = "backup-history.json"


@dataclass(frozen=True, slots=True)
class DataDir:
    root: Path

    def at(self, place: Place) -> Path:
        return self.root / place.name

    @property
    def database(self) -> Path:
        return self.at(DATABASE)

    @property
    def database_side_files(self) -> tuple[Path, ...]:
        """What SQLite keeps beside the database; a restore removes them with it."""
        return tuple(self.root / f"{DATABASE.name}{end}" for end in ("-wal", "-shm", "-journal"))

    @property
    def master_key(self) -> Path:
        return self.at(MASTER_KEY)

    @property
    def props(self) -> Path:
        return self.at(PROPS)

    @property
    def restored_props(self) -> Path:
        return self.at(RESTORED_PROPS)

    @property
    def tls(self) -> Path:
        return self.at(TLS)

    @property
    def ui_certificate(self) -> Path:
        """The UI certificate as the listener reads it (a drill pins its throwaway's)."""
        return self.tls / "ui-certificate.pem"

    @property
    def ui_key(self) -> Path:
        return self.tls / "ui-key.pem"

    @property
    def tmp(self) -> Path:
        return self.at(TMP)

    @property
    def safety_backups(self) -> Path:
        return self.at(SAFETY_BACKUPS)

    @property
    def restore_staging(self) -> Path:
        return self.at(RESTORE_STAGING)

    @property
    def restore_pending(self) -> Path:
        return self.at(RESTORE_PENDING)

    @property
    def store_lock(self) -> Path:
        return self.at(STORE_LOCK)

    @property
    def server_lock(self) -> Path:
        return self.at(SERVER_LOCK)

    def leftovers(self) -> list[Path]:
        """The drafts an earlier, killed process left (regular files only, never a link)."""
        found = []
        for place in (*PLACES, ROOT):
            for pattern in place.leftovers:
                paths = self.at(place).glob(pattern)
                found += [path for path in paths if path.is_file() and not path.is_symlink()]
        return found


def remove_leftovers(data: DataDir) -> int:
    """Remove what an earlier run left unfinished; how many files there were. Only at start,
    under the server lock (a partial restore killed at each step left one archive per kill)."""
    leftovers = data.leftovers()
    for path in leftovers:
        path.unlink(missing_ok=True)
    if leftovers:
        logger.info("removed %d file(s) an earlier run left unfinished", len(leftovers))
    return len(leftovers)

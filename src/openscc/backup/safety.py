"""Safety backups: the configuration as it was before each restore, kept with bounded retention;
and, listed with them, the split backups a master keeps when it relinquishes its role after a
network split (openscc.ha.split; never pruned)."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from openscc.backup.archive import inspect_archive
from openscc.backup.create import create_backup
from openscc.backup.manifest import Manifest
from openscc.errors import BackupError
from openscc.fileio import fsync_path
from openscc.instance import Instance
from openscc.layout import DataDir

# A safety backup is written while a restore waits for it; it stays on this host, where a larger
# file matters less than the time (deflate level 1: about a third of the default's time).
SAFETY_COMPRESS_LEVEL = 1
RESTORE, SPLIT = "restore", "split"  # what a safety backup was taken before
_PREFIXES = {"safety-": RESTORE, "split-": SPLIT}


@dataclass(frozen=True, kw_only=True, slots=True)
class SafetyBackup:
    path: Path
    size: int
    manifest: Manifest | None  # None if the file cannot be read
    taken_before: str = RESTORE  # RESTORE or SPLIT


@dataclass(frozen=True, slots=True)
class SafetyBackupDraft:
    """A safety backup written and synced under a temporary name: ``keep`` gives it its name
    (and prunes the oldest), ``discard`` removes it (the restore it was for did not happen)."""

    temporary: Path
    final: Path

    def keep(self, *, newest: int) -> Path:
        """Name it, then keep only the ``newest`` safety backups; its final path."""
        os.replace(self.temporary, self.final)
        fsync_path(self.final.parent)
        for old in _newest_first(self.final.parent)[newest:]:
            old.unlink(missing_ok=True)
        return self.final

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def next_name(folder: Path, prefix: str) -> str:
    """A new safety backup's name: the UTC time to the nanosecond after ``prefix``, and later
    than every name already there, so that the names sort newest last whatever the wall clock
    did in between (a virtual machine's clock may step back)."""
    now = time.time_ns()
    seconds, nanoseconds = divmod(now, 1_000_000_000)
    stamp = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(seconds))}-{nanoseconds:09d}"
    newest = max((_stamp(p).removesuffix(".zip") for p in folder.glob("s*-*.zip")), default="")
    if stamp <= newest:
        when, _, counter = newest.rpartition("-")
        stamp = f"{when}-{int(counter) + 1:09d}" if counter.isdigit() else f"{newest}-1"
    return f"{prefix}{stamp}.zip"


def write_safety_backup(instance: Instance, password: str) -> SafetyBackupDraft:
    """Back up the current configuration with ``password`` into a synced temporary file."""
    folder = instance.layout.safety_backups
    folder.mkdir(mode=0o700, exist_ok=True)
    final = folder / next_name(folder, "safety-")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".safety-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as out:
            create_backup(instance, password, out, compress_level=SAFETY_COMPRESS_LEVEL)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return SafetyBackupDraft(temporary=Path(tmp), final=final)


def _newest_first(folder: Path) -> list[Path]:
    return sorted(folder.glob("safety-*.zip"), key=lambda p: p.name, reverse=True)


def list_safety_backups(data_dir: Path) -> list[SafetyBackup]:
    folder = DataDir(data_dir).safety_backups
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("s*-*.zip"), key=_stamp, reverse=True):
        kind = next((k for p, k in _PREFIXES.items() if path.name.startswith(p)), None)
        if kind is None:
            continue
        try:
            with path.open("rb") as src:
                manifest: Manifest | None = inspect_archive(src)
        except BackupError:
            manifest = None
        found.append(
            SafetyBackup(path=path, size=path.stat().st_size, manifest=manifest, taken_before=kind)
        )
    return found


def find_safety_backup(data_dir: Path, name: str) -> Path | None:
    """The safety backup of that file name, if there is one; a name that is not one of ours
    (another pattern, a path) is none, without reading any archive."""
    if "/" in name or not any(name.startswith(p) for p in _PREFIXES) or not name.endswith(".zip"):
        return None
    path = DataDir(data_dir).safety_backups / name
    return path if path.is_file() else None


def _stamp(path: Path) -> str:
    """The UTC time stamp and counter after the prefix (names sort by it, whatever the kind)."""
    return path.name.split("-", 1)[1]

"""Locks on the data directory, between processes: who may have the database open, and which one
server serves the directory.

**The store lock** (``store.lock``). Every process that opens the data directory's database (the
server, ``openscc users``, an offline check) holds it *shared* while its connections are open.
Replacing the database file (applying a committed restore at start-up) holds it *exclusively*,
so no process ever has a connection on a file that is being swapped under it: its writes would go
to the replaced file and be lost although they were acknowledged.

**The server lock** (``server.lock``, holding the pid): one ``openscc serve`` per directory.

Both are ``flock(2)`` locks: they belong to an open file description, not to the process, so they
are independent of SQLite's POSIX locks on the database. Their files are never a database file,
so opening and closing them cannot drop SQLite's locks (see docs/reliability.md, "Descriptors on
the database").
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from openscc.errors import Conflict
from openscc.layout import DataDir

_POLL_SECONDS = 0.02


class DataDirectoryBusy(Conflict):
    """The data directory is held by another process for longer than a command waits."""


def _open_lock_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def _try_flock(fd: int, operation: int) -> bool:
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
            return False
        raise
    return True


class StoreLock:
    """The store lock held by this object until ``release()`` (shared or exclusive)."""

    def __init__(self, data_dir: Path, *, exclusive: bool, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the lock; DataDirectoryBusy if it stays taken."""
        self.exclusive = exclusive
        self._fd: int | None = _open_lock_file(DataDir(data_dir).store_lock)
        operation = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + timeout
        # flock(2) has no timeout of its own; a lock wait is polled as SQLite's busy handler is.
        while not _try_flock(self._fd, operation):
            if time.monotonic() >= deadline:
                self.release()
                raise DataDirectoryBusy(
                    f"the data directory {data_dir} is busy: "
                    + (
                        "a command or server still has its database open"
                        if exclusive
                        else "a restore is being applied to it"
                    )
                    + "; try again in a moment"
                )
            time.sleep(_POLL_SECONDS)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the description releases the flock
            self._fd = None

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class ServerAlreadyRunning(Conflict):
    """Another ``openscc serve`` serves this data directory."""


class ServerLock:
    """Held by the one server of a data directory for its whole life, restarts included."""

    def __init__(self, data_dir: Path) -> None:
        path = DataDir(data_dir).server_lock
        self._fd: int | None = _open_lock_file(path)
        if not _try_flock(self._fd, fcntl.LOCK_EX):
            holder = running_server_pid(data_dir)
            self.release()
            raise ServerAlreadyRunning(
                f"another openscc serve{'' if holder is None else f' (pid {holder})'} "
                f"already serves {data_dir}; stop it first, or give another --data-dir"
            )
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def running_server_pid(data_dir: Path) -> int | None:
    """The pid of the server that serves ``data_dir`` now, if one does."""
    path = DataDir(data_dir).server_lock
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        if _try_flock(fd, fcntl.LOCK_SH):
            return None  # nobody holds it
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    return int(text) if text.isdigit() else None

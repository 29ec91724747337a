"""The safety backup a master keeps before it relinquishes the role after a network split.

While the pair was split, both instances were masters and both may have accepted changes. The
side that took over wins (its configuration is the pair's from then on); the former master's
configuration, with the changes it accepted alone, is kept in ``safety-backups/split-*.zip``
before the new master's replaces it. Its password comes from this instance's master key (no
administrator chose one in that moment): ``openscc backup history --password-of NAME`` prints it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from openscc.backup.create import create_backup
from openscc.backup.safety import next_name
from openscc.fileio import fsync_path
from openscc.instance import Instance

PREFIX = "split-"


def split_password(master_key: bytes, name: str) -> str:
    """The password of the split safety backup ``name``: only this data directory makes it."""
    digest = hmac.new(master_key, b"openscc split safety backup\0" + name.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def write_split_backup(instance: Instance) -> str:
    """Back up the whole configuration as it is; returns the file's name in safety-backups/."""
    folder = instance.layout.safety_backups
    folder.mkdir(mode=0o700, exist_ok=True)
    name = next_name(folder, PREFIX)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".split-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as out:
            create_backup(instance, split_password(instance.master_key, name), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
        fsync_path(folder)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return name

"""Faults around the store: disk full, a database locked by another process, a read-only data
directory. Each gets a clear error, leaves no partial file and keeps the old configuration.

Disk full and read-only use a real tmpfs and a real read-only bind mount where the test may mount
(root with CAP_SYS_ADMIN, as here and in CI); elsewhere the same failure is injected at the
system call the server makes, and the same assertions run.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from openscc.layout import RESTORE_PENDING, RESTORE_STAGING
from support.in_process import InProcessServer

CONNECTOR = "/api/v1/configuration/connector"


def _mount(*args: str) -> bool:
    result = subprocess.run(["mount", *args], capture_output=True, check=False)
    return result.returncode == 0


def _leftovers(data_dir: Path) -> list[str]:
    names = [p.name for p in (data_dir / "tmp").glob("*")] if (data_dir / "tmp").exists() else []
    names += (
        [p.name for p in (data_dir / "safety-backups").glob(".*")]
        if (data_dir / "safety-backups").exists()
        else []
    )
    if (data_dir / RESTORE_STAGING.name).exists() or (data_dir / RESTORE_PENDING.name).exists():
        names.append("staged restore")
    return names


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """A 3 MiB tmpfs if mounting is allowed: (directory, is_real)."""
    point = tmp_path / "small"
    point.mkdir()
    real = _mount("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(point))
    yield point, real
    if real:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(directory: Path, *, leave_bytes: int) -> None:
    stat = os.statvfs(directory)
    free = stat.f_bavail * stat.f_frsize
    with (directory / "filler").open("wb") as out:
        out.write(b"\0" * max(0, free - leave_bytes))


@pytest.mark.slow
def test_disk_full_during_backup_and_restore_is_a_clear_error(
    small_disk: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no space left, backup and restore answer 500 saying so; no partial file, no change."""
    point, real = small_disk
    connector = InProcessServer(point / "data")
    connector.http.put(CONNECTOR, auth=connector.auth, json={"description": "kept"})
    archive = connector.backup()
    before = connector.state()
    if real:
        _fill(point, leave_bytes=4096)
    else:
        import openscc.backup.archive as archive_module

        def no_space(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(archive_module, "write_archive", no_space)
        monkeypatch.setattr("openscc.backup.create.write_archive", no_space)
        monkeypatch.setattr("openscc.backup.staging.build_staged_database", no_space)
        monkeypatch.setattr("openscc.backup.restore.build_staged_database", no_space)

    created = connector.http.post(
        "/api/v1/configuration/backup", auth=connector.auth, json={"password": "p"}
    )
    restored = connector.restore(archive)

    assert created.status_code == 500
    assert "No space left on device" in created.json()["message"]
    assert restored.status_code == 500
    assert "nothing was changed" in restored.json()["message"]
    assert _leftovers(connector.instance.data_dir) == []
    assert connector.state() == before
    connector.close()


@pytest.mark.slow
def test_database_locked_by_another_process_is_503_and_changes_nothing(tmp_path: Path) -> None:
    """A write while another process holds the database lock answers 503 with Retry-After."""
    connector = InProcessServer(tmp_path / "data", store_busy_timeout_ms=200)
    connector.http.put(CONNECTOR, auth=connector.auth, json={"description": "before"})
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()",
            str(connector.instance.data_dir / "config.db"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None
        assert locker.stdout.readline().strip() == "locked"

        response = connector.http.put(
            CONNECTOR, auth=connector.auth, json={"description": "during"}
        )
    finally:
        locker.communicate("", timeout=10)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "locked by another process" in response.json()["message"]
    after = connector.http.get(CONNECTOR, auth=connector.auth).json()["description"]
    assert after == "before"
    connector.close()


def test_data_directory_turning_read_only_gives_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the data directory stops accepting writes under a running server, changes and
    backups answer 500 saying why, and the configuration stays as it was."""
    connector = InProcessServer(tmp_path / "data")
    connector.http.put(CONNECTOR, auth=connector.auth, json={"description": "before"})
    connector.backup()
    import tempfile

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    # A live remount is refused while the database is open, so the failure is injected at the
    # two places the server writes: SQLite (query_only) and its temporary files.
    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    connector.instance.conn.execute("PRAGMA query_only = ON")

    changed = connector.http.put(CONNECTOR, auth=connector.auth, json={"description": "after"})
    created = connector.http.post(
        "/api/v1/configuration/backup", auth=connector.auth, json={"password": "p"}
    )
    description = connector.http.get(CONNECTOR, auth=connector.auth).json()["description"]
    connector.close()

    assert changed.status_code == 500
    assert "cannot be written" in changed.json()["message"]
    assert created.status_code == 500
    assert "Read-only file system" in created.json()["message"]
    assert description == "before"


@pytest.mark.slow
def test_serve_on_a_read_only_data_directory_exits_with_a_clear_message(tmp_path: Path) -> None:
    """Started on a read-only mount, ``openscc serve`` says so in one line and exits non-zero,
    leaving the data untouched."""
    source = tmp_path / "data"
    InProcessServer(source).close()
    before = sorted((p.name, p.stat().st_size) for p in source.iterdir())
    view = tmp_path / "view"
    view.mkdir()
    assert _mount("--bind", str(source), str(view)), "this test needs mount (root, CAP_SYS_ADMIN)"
    try:
        assert _mount("-o", "remount,ro,bind", str(view))
        result = subprocess.run(
            [sys.executable, "-m", "openscc", "serve", "--data-dir", str(view), "--port", "1"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "OPENSCC_KDF_PROFILE": "test"},
        )
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)

    assert result.returncode != 0
    assert "Read-only file system" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted((p.name, p.stat().st_size) for p in source.iterdir()) == before

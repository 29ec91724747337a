"""Backing up a fleet of connectors in parallel into ``DIR/<name>/<timestamp>.zip``.

Each connector is independent: one that fails (unreachable, wrong password, ...) is reported and
the others still complete. A new backup gets its final name only once it is downloaded and
verified; only then are older backups beyond the newest ``keep`` removed, so a failed run never
costs a good backup.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from openscc.client.api import OpensccClient
from openscc.client.inventory import InventoryEntry, InventoryError
from openscc.client.offline import verify_backup
from openscc.client.wire import VerifyTypes
from openscc.errors import ClientError, OpensccError

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
BACKUP_NAME = re.compile(r"(\d{8}T\d{6}Z)(?:-(\d+))?\.zip")
DEFAULT_CONCURRENCY = 4

TransportFor = Callable[[InventoryEntry], httpx.AsyncBaseTransport | None]


@dataclass(slots=True)
class FleetResult:
    """How one connector's backup went."""

    name: str
    url: str
    ok: bool
    seconds: float
    path: Path | None = None
    size: int | None = None
    verified: str | None = None  # "full" or "zip"
    error: OpensccError | None = None
    removed: list[Path] = field(default_factory=list)


def next_backup_path(folder: Path, now: datetime) -> Path:
    """``folder/<UTC timestamp>.zip``, with ``-2``, ``-3``... if runs share a second."""
    stamp = now.astimezone(UTC).strftime(STAMP_FORMAT)
    candidate = folder / f"{stamp}.zip"
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stamp}-{number}.zip"
    return candidate


def backups_in(folder: Path) -> list[Path]:
    """The backups this command made in ``folder``, oldest first; other files are ignored."""
    found: list[tuple[str, int, Path]] = []
    for path in folder.iterdir():
        match = BACKUP_NAME.fullmatch(path.name)
        if match and path.is_file():
            found.append((match.group(1), int(match.group(2) or 1), path))
    return [path for _, _, path in sorted(found)]


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; the deleted paths."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    doomed = backups_in(folder)[:-keep]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


async def backup_fleet(
    entries: Sequence[InventoryEntry],
    out_dir: Path,
    *,
    keep: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    transport_for: TransportFor | None = None,
    environ: Mapping[str, str] = os.environ,
    on_done: Callable[[FleetResult], None] | None = None,
) -> list[FleetResult]:
    """Back up every entry, at most ``concurrency`` at a time; results in inventory order."""
    slots = asyncio.Semaphore(concurrency)

    async def run(entry: InventoryEntry) -> FleetResult:
        async with slots:
            transport = transport_for(entry) if transport_for is not None else None
            result = await backup_one(
                entry, out_dir, keep=keep, transport=transport, environ=environ
            )
        if on_done is not None:
            on_done(result)
        return result

    return list(await asyncio.gather(*(run(entry) for entry in entries)))


async def backup_one(
    entry: InventoryEntry,
    out_dir: Path,
    *,
    keep: int | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    environ: Mapping[str, str] = os.environ,
) -> FleetResult:
    """Download, verify and file one connector's backup; never raises for that connector's failure."""
    started = time.monotonic()

    def failed(error: OpensccError) -> FleetResult:
        return FleetResult(
            name=entry.name,
            url=entry.url,
            ok=False,
            seconds=time.monotonic() - started,
            error=error,
        )

    try:
        password = entry.password.read(environ)
        backup_password = entry.backup_password.read(environ)
        verify: VerifyTypes = False if entry.insecure else (entry.ca_file or True)
        folder = out_dir / entry.name
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        final = next_backup_path(folder, datetime.now(UTC))
        incoming = folder / f".{final.name}.unverified"
        try:
            async with OpensccClient(
                entry.url, entry.user, password, verify=verify, transport=transport
            ) as client:
                backup = await client.create_backup(backup_password, incoming, overwrite=True)
            if entry.verify == "full":
                await asyncio.to_thread(verify_backup, incoming, backup_password)
            os.replace(incoming, final)
        finally:
            incoming.unlink(missing_ok=True)
        removed = prune(folder, keep) if keep else []
    except OpensccError as error:
        return failed(error)
    except ValueError as error:  # an unreadable CA file
        return failed(InventoryError(str(error)))
    except OSError as error:
        return failed(ClientError(f"local file error: {error}"))
    except Exception as error:
        return failed(OpensccError(f"unexpected error: {type(error).__name__}: {error}"))
    return FleetResult(
        name=entry.name,
        url=entry.url,
        ok=True,
        seconds=time.monotonic() - started,
        path=final,
        size=backup.size,
        verified=entry.verify,
        removed=removed,
    )


def fleet_exit_code(results: Sequence[FleetResult]) -> int:
    """0 if every connector succeeded, else the exit code of the first failure in inventory order."""
    for result in results:
        if not result.ok:
            return result.error.exit_code if result.error is not None else 1
    return 0

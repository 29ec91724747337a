"""A torture run: a seeded, random mix of API writes, backups, dry runs, partial and full restores
against a real ``openscc serve``, ``openscc users`` commands beside it in their own processes, and
``kill -9`` at random moments (and at the restore's own steps, through its fault points).

After every kill the server is started again and checked: every acknowledged change is there,
nothing refused or half-done is (openscc.bench.torture.history), ``PRAGMA integrity_check`` is
``ok``, and the next backup and dry run work. ``python -m bench.torture`` prints the figures.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from bench.torture.commands import Commands
from bench.torture.history import ABSENT, FAILED, OK, UNKNOWN, Op
from bench.torture.recorder import Figures, Recorder
from bench.torture.server import KillableServer, ServerDied
from bench.torture.state import (
    BACKUP_PASSWORD,
    CONNECTOR,
    REGION,
    SUBACCOUNTS,
    USERS,
    VIRTUAL_HOSTS,
    Archive,
    create_subaccounts,
    mapping_body,
    mapping_key,
    mappings_path,
    read_archive_values,
    read_state,
    user_key,
)

BACKUP = "/api/v1/configuration/backup"
PARTIAL = "/api/openscc/v1/backup/partial"
# Steps of a restore at which the server kills itself (openscc.faults), besides random kills.
FAULT_POINTS = (
    "restore.validated", "restore.staged", "restore.safety_backup_written", "restore.committed",
    "apply.start", "apply.installation_carried", "apply.side_files_removed",
    "apply.database_replaced",
)  # fmt: skip
KEEP_ARCHIVES = 4


class Torture:
    def __init__(self, root: Path, *, seed: int, kills: int, kill_chance: float = 0.3) -> None:
        self.rng = random.Random(seed)
        self.server = KillableServer(root)
        self.target_kills = kills
        self.kill_chance = kill_chance
        self.recorder = Recorder(seed)
        self.figures = self.recorder.figures
        self.commands = Commands(self.recorder, self.server.data_dir, self.rng.random())
        self.archives: list[Archive] = []
        self._counter = 0
        self._killer: threading.Timer | None = None
        self.http: httpx.Client | None = None

    # The run

    def run(self) -> Figures:
        """Run until ``kills`` kills were survived and checked, then finish."""
        started = time.monotonic()
        self._start()
        assert self.http is not None
        create_subaccounts(self.http)
        self.recorder.history.state = self._read()
        self._backup()
        self.commands.start()
        try:
            while self.figures.kills < self.target_kills:
                self._one_step()
        finally:
            self.commands.stop()
        self._finish()
        self.figures.seconds = round(time.monotonic() - started, 1)
        return self.figures

    def _one_step(self) -> None:
        self._arm_killer()
        with contextlib.suppress(ServerDied):
            self._operation()
        if not self.server.running():
            self._recover()

    def _arm_killer(self) -> None:
        """Now and then, a kill -9 at a random moment within the next second: during whatever
        runs then (a request, a restart after a restore, a command beside it, nothing)."""
        pid = self.server.pid
        armed = self._killer is not None and self._killer.is_alive()
        if pid is None or armed or self.rng.random() >= self.kill_chance:
            return
        self._killer = threading.Timer(self.rng.uniform(0, 1.0), self._kill, args=(pid,))
        self._killer.start()

    def _kill(self, pid: int) -> None:
        if self.server.kill(pid):
            self.figures.random_kills += 1

    def _operation(self) -> None:
        choice = self.rng.random()
        if choice < 0.3:
            self._change_description()
        elif choice < 0.65:
            self._change_mapping()
        elif choice < 0.75:
            self._backup()
        elif choice < 0.83:
            self._dry_run()
        elif choice < 0.92:
            self._partial_restore()
        else:
            self._restore()

    def _start(self, *, faults: bool = True) -> None:
        """Start the server (now and then with a fault point) until it answers."""
        fault = self.rng.choice(FAULT_POINTS) if faults and self.rng.random() < 0.3 else None
        try:
            self.server.start(fault)
        except ServerDied:  # it died at start-up, at a fault point of applying a restore
            self.figures.kills += 1
            self.server.start(None)
        if self.http is not None:
            self.http.close()
        self.http = self.server.client()

    def _recover(self) -> None:
        """After a kill: start again and check everything the history says."""
        if self._killer is not None:  # it fired, or the server killed itself first
            self._killer.cancel()
            self._killer.join()
        self.server.wait_dead()
        self.figures.kills += 1
        self._start()
        with self.commands.idle:
            self._check()
        # The next backup, dry run and restore work (a full restore answers 204 wherever the
        # run makes one).
        self._backup()
        self._dry_run()
        self._partial_restore()

    def _check(self) -> None:
        self.recorder.check(self._read())
        conn = sqlite3.connect(self.server.data_dir / "config.db")
        try:
            [(verdict,)] = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
        if verdict != "ok":
            self.recorder.violation(f"PRAGMA integrity_check: {verdict}")

    def _finish(self) -> None:
        """On a server without kills or fault points: the last restore works, and a graceful
        restart keeps everything."""
        if self._killer is not None:
            self._killer.cancel()
            self._killer.join()
        self.server.stop()
        self._start(faults=False)
        self._check()
        if self.archives:
            self._restore(self.archives[-1])
            if self.figures.restores_acknowledged == 0:
                self.recorder.violation("no restore was acknowledged")
        self.server.stop()
        self._start(faults=False)
        self._check()
        self.server.stop()
        assert self.http is not None
        self.http.close()

    def _read(self) -> dict[str, str]:
        """The state as the server has it; ServerDied if a kill came first (then the next start
        checks it)."""
        assert self.http is not None
        try:
            return read_state(self.http, self.server.data_dir, self.commands.passwords)
        except httpx.TransportError:
            if self.server.running() and not self._died_soon():
                raise
            raise ServerDied("while the state was read") from None

    # API operations (one at a time)

    def _send(
        self, op: Op | None, method: str, url: str, **options: object
    ) -> httpx.Response | None:
        """One API request; its outcome recorded. None when the server did not answer."""
        assert self.http is not None
        self.figures.api_operations += 1
        try:
            answer = self.http.request(method, url, **options)  # type: ignore[arg-type]
        except httpx.TransportError:
            if op is not None:
                self.recorder.end(op, UNKNOWN)
            if self.server.running() and not self._died_soon():
                self.recorder.violation(f"{method} {url}: no answer from a live server")
            raise ServerDied(f"{method} {url}") from None
        if answer.status_code >= 500 and answer.status_code != 503:
            self.recorder.violation(f"{method} {url}: {answer.status_code} {answer.text}")
        if op is not None:
            self.recorder.end(op, OK if answer.is_success else FAILED)
        return answer

    def _died_soon(self) -> bool:
        """A connection cut by a kill may be seen a moment before the process is gone."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if not self.server.running():
                return True
            time.sleep(0.05)
        return False

    def _text(self) -> str:
        self._counter += 1
        return f"v{self._counter}"

    def _change_description(self) -> None:
        value = self._text()
        op = self.recorder.begin("description", {"description": value})
        self._send(op, "PUT", CONNECTOR, json={"description": value})

    def _change_mapping(self) -> None:
        subaccount = self.rng.choice(SUBACCOUNTS)
        host = self.rng.choice(VIRTUAL_HOSTS)
        key = mapping_key(subaccount, host)
        present = self.recorder.known(key) != ABSENT
        path = mappings_path(subaccount)
        if not present:
            value = self._text()
            op = self.recorder.begin(f"add {key}", {key: value})
            self._send(op, "POST", path, json=mapping_body(host, value))
        elif self.rng.random() < 0.6:
            value = self._text()
            op = self.recorder.begin(f"change {key}", {key: value})
            self._send(op, "PUT", f"{path}/{host}:443", json=mapping_body(host, value))
        else:
            op = self.recorder.begin(f"remove {key}", {key: ABSENT})
            self._send(op, "DELETE", f"{path}/{host}:443")

    def _backup(self) -> None:
        answer = self._send(None, "POST", BACKUP, json={"password": BACKUP_PASSWORD})
        if answer.status_code == 200:
            archive = Archive(
                answer.content, read_archive_values(answer.content, self.commands.passwords)
            )
            self.archives = [*self.archives, archive][-KEEP_ARCHIVES:]
        else:
            self.recorder.violation(f"a backup answered {answer.status_code}")

    def _upload(self, archive: Archive, **data: str) -> dict[str, object]:
        return {"files": {"backup": ("b.zip", archive.content)},
                "data": {"password": BACKUP_PASSWORD, **data}}  # fmt: skip

    def _dry_run(self) -> None:
        if not self.archives:
            return
        answer = self._send(None, "PUT", f"{BACKUP}?dryRun=true",
                            **self._upload(self.rng.choice(self.archives)))  # fmt: skip
        if answer.status_code != 200:
            self.recorder.violation(f"a dry run answered {answer.status_code}: {answer.text}")

    def _partial_restore(self) -> None:
        if not self.archives:
            return
        archive = self.rng.choice(self.archives)
        subaccount = self.rng.choice(SUBACCOUNTS)
        keys = [mapping_key(subaccount, host) for host in VIRTUAL_HOSTS]
        writes = {k: archive.values.get(k, ABSENT) for k in keys}
        op = self.recorder.begin(f"partial restore of {subaccount}", writes, atomic=True)
        answer = self._send(op, "PUT", PARTIAL, **self._upload(
            archive, subaccounts=f"{REGION}/{subaccount}"))  # fmt: skip
        if answer.status_code == 200:
            self.figures.partial_restores_acknowledged += 1
        else:
            self.recorder.violation(f"a partial restore answered {answer.status_code}")

    def _restore(self, archive: Archive | None = None) -> None:
        if not self.archives:
            return
        archive = archive or self.rng.choice(self.archives)
        keys = {"description"} | {mapping_key(s, h) for s in SUBACCOUNTS for h in VIRTUAL_HOSTS}
        writes = {k: archive.values.get(k, ABSENT) for k in keys}
        op = self.recorder.begin("restore", writes, atomic=True)
        users = {user_key(n): archive.values.get(user_key(n), ABSENT) for n in USERS}
        op.writes.update(users)  # registers, not all-or-nothing: commands change them too
        answer = self._send(op, "PUT", BACKUP, **self._upload(archive))
        if answer.status_code != 204:
            self.recorder.violation(f"a restore answered {answer.status_code}")
            return
        self.figures.restores_acknowledged += 1
        self._wait_back()
        with self.commands.idle:  # a restart too: the same check as after a kill
            self._check()

    def _wait_back(self) -> None:
        """The server restarts in place after a restore: until it has applied it (the marker
        is gone) and answers again."""
        assert self.http is not None
        marker = self.server.data_dir / "restore-pending"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.server.running():
                raise ServerDied("during the restart after a restore")
            try:
                if not marker.exists():
                    self.http.get("/api/v1/connector/version", timeout=2)
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.recorder.violation("the server did not come back after a restore")

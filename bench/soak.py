"""Load and soak: ``python -m bench.soak`` (``make soak``) against a real ``openscc serve`` on loopback.

Concurrent clients read and write (system mappings and resources of one subaccount, each client in
its own namespace, plus reads of everything) for a fixed time, while a coordinator takes a backup
every few seconds and now and then restores the latest one (the server restarts). The run fails
(exit 1) on any of:

* a 5xx answer other than the documented 503 (store locked by another process);
* any other unexpected answer: a 4xx to a valid request, or a connection error, outside a restore's
  restart (during one, 409 "restore pending" and dropped connections are expected);
* a lost write: each client journals its writes (what it sent, when, and whether it was
  acknowledged). After each restore, every client reads its entities back and checks them against
  the backup's point in time: writes acknowledged before the backup started must be there, writes
  sent after it ended must be gone (the restore replaced them, on purpose), writes in flight across
  the backup may be either way. At the end, with no restore since the last check, every
  acknowledged write must be there. Entities nobody wrote must not appear;
* memory: the server's resident set size (RSS), sampled every second, grows from the first to the
  last minute (the halves of a shorter run) by more than ``SOAK_RSS_LIMIT_MIB``.

Bounded in time (``SOAK_SECONDS``) and in requests (``SOAK_MAX_REQUESTS``); loopback only.
Environment (defaults in brackets):

    SOAK_SECONDS [120]  SOAK_CLIENTS [20]  SOAK_MAX_REQUESTS [300000]
    SOAK_BACKUP_EVERY [15] seconds   SOAK_RESTORE_EVERY [40] seconds (restores the latest backup)
    SOAK_KDF_PROFILE [production]    SOAK_RSS_LIMIT_MIB [48]   SOAK_SEED [1]
    SOAK_REPORT [unset]: also write the figures as JSON to this file
    SOAK_KEEP [unset]: keep the data directory and server log
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

LOOPBACK = "127.0.0.1"
ADMINISTRATOR = "Administrator"
ADMIN_PASSWORD = "Soak-Adm1n-pw!"
BACKUP_PASSWORD = "Soak-Backup-pw!"
REGION = "cf.eu10.hana.ondemand.com"
SUBACCOUNT = "50a50a50-0000-4000-8000-000000000001"
CONFIG = "/api/v1/configuration"
SA_PATH = f"{CONFIG}/subaccounts/{REGION}/{SUBACCOUNT}"
MAX_ENTITIES = 8  # live mappings and resources per client, so the state stays bounded
# 5xx answers the API documents as expected in operation: the store locked by another process.
DOCUMENTED_5XX = frozenset({503})


@dataclass(frozen=True)
class SoakConfig:
    seconds: float = 120.0
    clients: int = 20
    max_requests: int = 300_000
    backup_every: float = 15.0
    restore_every: float = 40.0
    kdf_profile: str = "production"
    rss_limit_mib: float = 48.0
    seed: int = 1
    report: str | None = None
    keep: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SoakConfig:
        env = dict(os.environ if env is None else env)
        return cls(
            seconds=float(env.get("SOAK_SECONDS", cls.seconds)),
            clients=int(env.get("SOAK_CLIENTS", cls.clients)),
            max_requests=int(env.get("SOAK_MAX_REQUESTS", cls.max_requests)),
            backup_every=float(env.get("SOAK_BACKUP_EVERY", cls.backup_every)),
            restore_every=float(env.get("SOAK_RESTORE_EVERY", cls.restore_every)),
            kdf_profile=env.get("SOAK_KDF_PROFILE", cls.kdf_profile),
            rss_limit_mib=float(env.get("SOAK_RSS_LIMIT_MIB", cls.rss_limit_mib)),
            seed=int(env.get("SOAK_SEED", cls.seed)),
            report=env.get("SOAK_REPORT") or None,
            keep=bool(env.get("SOAK_KEEP")),
        )


# --- the server process -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``openscc serve`` on a loopback port and a fresh data directory."""

    def __init__(self, root: Path, kdf_profile: str) -> None:
        self.data_dir = root / "data"
        self.log_path = root / "server.log"
        self.port = _free_port()
        self.kdf_profile = kdf_profile
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("OPENSCC_DATA_DIR", "OPENSCC_TEST_FAULT_POINTS")
        }
        env.update(
            OPENSCC_ADMIN_PASSWORD=ADMIN_PASSWORD,
            OPENSCC_KDF_PROFILE=self.kdf_profile,
            PYTHONUNBUFFERED="1",
        )
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - open while the process runs
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openscc",
                "serve",
                "--data-dir",
                str(self.data_dir),
                "--host",
                LOOPBACK,
                "--port",
                str(self.port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        with httpx.Client(verify=False, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"openscc serve exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                try:
                    client.get(self.url + "/api/v1/connector/version")
                    return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"openscc serve did not answer within {timeout}s:\n{self.log_tail()}"
                    )
                time.sleep(0.1)

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.data_dir / "tls" / "ui-certificate.pem"))

    def rss_bytes(self) -> int | None:
        """The server's resident set size, from /proc (Linux)."""
        if self.process is None:
            return None
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            return None
        return None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- journals -----------------------------------------------------------------------------------

Key = tuple[str, str]  # ("mapping", virtual host) or ("resource", resource id)
ACKED, REFUSED, UNKNOWN = "acked", "refused", "unknown"


@dataclass
class Write:
    key: Key
    value: str | None  # the description written, or None for a deletion
    sent: float
    done: float
    outcome: str  # ACKED (2xx), REFUSED (4xx: not applied), UNKNOWN (no answer)


def possible_values(
    baseline: str | None, writes: list[Write], start: float, end: float
) -> set[str | None]:
    """What one key may hold in a snapshot taken between ``start`` and ``end``.

    Writes to a key come from one client, one after the other. A write acknowledged before
    ``start`` is in the snapshot; one sent after ``end`` is not; one in flight across the window,
    or never answered, may be either way.
    """
    possible: set[str | None] = {baseline}
    for write in writes:
        if write.outcome == REFUSED:
            continue
        if write.sent > end:
            break
        if write.outcome == ACKED and write.done < start:
            possible = {write.value}
        else:
            possible = possible | {write.value}
    return possible


# --- shared state -------------------------------------------------------------------------------


@dataclass
class Figures:
    requests: int = 0
    reads: int = 0
    writes_acked: int = 0
    writes_refused_during_restore: int = 0
    writes_unanswered_during_restore: int = 0
    writes_replaced_by_restores: int = 0
    writes_checked: int = 0
    keys_checked: int = 0
    backups: int = 0
    restores: int = 0
    restore_pauses: list[float] = field(
        default_factory=list
    )  # seconds from restore request to resume
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        if len(self.failures) < 200:
            self.failures.append(message)


class Run:
    def __init__(self, config: SoakConfig, server: Server) -> None:
        self.config = config
        self.server = server
        self.figures = Figures()
        self.gate = asyncio.Event()  # set while clients may send requests
        self.gate.set()
        self.restoring = False  # from the restore request until every client re-checked
        self.deadline = 0.0
        self.started = 0.0

    def budget_left(self) -> bool:
        return time.monotonic() < self.deadline and self.figures.requests < self.config.max_requests

    def client(self, **options: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.server.url,
            verify=self.server.ssl_context(),
            auth=(ADMINISTRATOR, ADMIN_PASSWORD),
            timeout=60.0,
            **options,
        )


# --- clients ------------------------------------------------------------------------------------


class SoakClient:
    """One client: its own system mappings (c<N>-*.soak) and the resources of its base mapping."""

    def __init__(self, run: Run, number: int) -> None:
        self.run = run
        self.number = number
        self.rng = random.Random(run.config.seed * 1000 + number)
        self.prefix = f"c{number}-"
        self.base = f"{SA_PATH}/systemMappings/c{number}-base.soak:443"
        self.model: dict[Key, str] = {}  # what the client believes the server holds
        self.baseline: dict[Key, str | None] = {}  # verified at the last check
        self.journal: list[Write] = []
        self.sequence = 0
        self.idle = asyncio.Event()

    # Requests -----------------------------------------------------------------------------------

    async def _send(
        self, http: httpx.AsyncClient, method: str, url: str, **options: Any
    ) -> httpx.Response | None:
        figures = self.run.figures
        figures.requests += 1
        try:
            response = await http.request(method, url, **options)
        except httpx.TransportError as error:
            if not self.run.restoring:
                figures.fail(
                    f"client {self.number}: {method} {url}: no answer outside a restore ({error!r})"
                )
            return None
        figures.statuses[response.status_code] += 1
        status = response.status_code
        if status >= 500 and status not in DOCUMENTED_5XX:
            figures.fail(f"client {self.number}: {method} {url}: {status} {response.text[:200]}")
        elif 400 <= status < 500 and not (self.run.restoring and status == 409):
            figures.fail(
                f"client {self.number}: {method} {url}: unexpected {status} {response.text[:200]}"
            )
        return response

    async def _write(
        self,
        http: httpx.AsyncClient,
        key: Key,
        value: str | None,
        method: str,
        url: str,
        body: Any = None,
    ) -> None:
        sent = time.monotonic()
        response = await self._send(http, method, url, json=body)
        done = time.monotonic()
        if response is None:
            outcome = UNKNOWN
            self.run.figures.writes_unanswered_during_restore += 1
        elif 200 <= response.status_code < 300:
            outcome = ACKED
            self.run.figures.writes_acked += 1
        else:
            outcome = REFUSED
            if self.run.restoring:
                self.run.figures.writes_refused_during_restore += 1
        self.journal.append(Write(key, value, sent, done, outcome))
        if outcome == ACKED:
            if value is None:
                self.model.pop(key, None)
            else:
                self.model[key] = value

    def _description(self) -> str:
        self.sequence += 1
        return f"c{self.number} w{self.sequence}"

    async def _step(self, http: httpx.AsyncClient) -> None:
        rng = self.rng
        mappings = sorted(name for kind, name in self.model if kind == "mapping")
        resources = sorted(name for kind, name in self.model if kind == "resource")
        if rng.random() < 0.5:
            self.run.figures.reads += 1
            target = rng.choice(
                [
                    f"{SA_PATH}/systemMappings",
                    self.base,
                    f"{self.base}/resources",
                    f"{CONFIG}/connector",
                    SA_PATH,
                    f"{CONFIG}/subaccounts",
                ]
                + [f"{SA_PATH}/systemMappings/{m}:443" for m in mappings[:2]]
            )
            await self._send(http, "GET", target)
            return
        description = self._description()
        if rng.random() < 0.5:  # a system mapping of this client
            choice = rng.random()
            if not mappings or (choice < 0.4 and len(mappings) < MAX_ENTITIES):
                host = f"{self.prefix}{self.sequence}.soak"
                await self._write(
                    http,
                    ("mapping", host),
                    description,
                    "POST",
                    f"{SA_PATH}/systemMappings",
                    _mapping_body(host, description),
                )
            elif choice < 0.8:
                host = rng.choice(mappings)
                await self._write(
                    http,
                    ("mapping", host),
                    description,
                    "PUT",
                    f"{SA_PATH}/systemMappings/{host}:443",
                    {"description": description},
                )
            else:
                host = rng.choice(mappings)
                await self._write(
                    http, ("mapping", host), None, "DELETE", f"{SA_PATH}/systemMappings/{host}:443"
                )
        else:  # a resource of the client's base mapping
            choice = rng.random()
            if not resources or (choice < 0.4 and len(resources) < MAX_ENTITIES):
                rid = f"/r{self.sequence}"
                await self._write(
                    http,
                    ("resource", rid),
                    description,
                    "POST",
                    f"{self.base}/resources",
                    {
                        "id": rid,
                        "enabled": True,
                        "exactMatchOnly": False,
                        "description": description,
                    },
                )
            elif choice < 0.8:
                rid = rng.choice(resources)
                await self._write(
                    http,
                    ("resource", rid),
                    description,
                    "PUT",
                    f"{self.base}/resources/-{rid[1:]}",
                    {"description": description},
                )
            else:
                rid = rng.choice(resources)
                await self._write(
                    http, ("resource", rid), None, "DELETE", f"{self.base}/resources/-{rid[1:]}"
                )

    async def work(self) -> None:
        async with self.run.client(limits=httpx.Limits(max_connections=1)) as http:
            while self.run.budget_left():
                if not self.run.gate.is_set():
                    self.idle.set()
                    await self.run.gate.wait()
                    continue
                self.idle.clear()
                await self._step(http)
        self.idle.set()

    # Checks -------------------------------------------------------------------------------------

    async def server_state(self, http: httpx.AsyncClient) -> dict[Key, str]:
        state: dict[Key, str] = {}
        mappings = await http.get(f"{SA_PATH}/systemMappings")
        resources = await http.get(f"{self.base}/resources")
        if mappings.status_code != 200 or resources.status_code != 200:
            raise RuntimeError(
                f"cannot read back client {self.number}: {mappings.status_code} {resources.status_code}"
            )
        for mapping in mappings.json():
            host = mapping["virtualHost"]
            if host.startswith(self.prefix) and host != f"c{self.number}-base.soak":
                state[("mapping", host)] = mapping.get("description", "")
        for resource in resources.json():
            state[("resource", resource["id"])] = resource.get("description", "")
        return state

    def check(self, state: dict[Key, str], start: float, end: float, when: str) -> None:
        """Compare the server's state with the journal for a snapshot taken in [start, end]."""
        figures = self.run.figures
        by_key: dict[Key, list[Write]] = {}
        for write in self.journal:
            by_key.setdefault(write.key, []).append(write)
        for key in set(state) | set(by_key) | set(self.baseline):
            writes = by_key.get(key, [])
            possible = possible_values(self.baseline.get(key), writes, start, end)
            figures.keys_checked += 1
            figures.writes_checked += sum(w.outcome == ACKED for w in writes)
            figures.writes_replaced_by_restores += sum(
                w.outcome == ACKED and w.sent > end for w in writes
            )
            if state.get(key) not in possible:
                figures.fail(
                    f"{when}: client {self.number} {key[0]} {key[1]}: server has {state.get(key)!r}, "
                    f"journal allows {sorted(map(repr, possible))}"
                )
        # The verified state is where the next period starts.
        self.baseline = dict(state)
        self.model = dict(state)
        self.journal = []


def _mapping_body(host: str, description: str) -> dict[str, Any]:
    return {
        "virtualHost": host,
        "virtualPort": "443",
        "localHost": "backend.soak.internal",
        "localPort": "443",
        "protocol": "HTTPS",
        "backendType": "abapSys",
        "authenticationMode": "NONE",
        "description": description,
    }


# --- the coordinator: backups, restores, checks -------------------------------------------------


async def _wait_restarted(run: Run, http: httpx.AsyncClient, timeout: float = 90.0) -> None:
    """After a restore's 204: until a change is accepted again (409 while the restore is pending)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            probe = await http.put(f"{CONFIG}/connector", json={"description": "soak"})
            if probe.status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the server did not come back within {timeout}s after a restore")


async def coordinate(run: Run, clients: list[SoakClient]) -> None:
    config, figures = run.config, run.figures
    latest: tuple[bytes, float, float] | None = None  # archive, backup start, backup end
    next_backup = run.started + config.backup_every
    next_restore = run.started + config.restore_every
    async with run.client() as http:
        while run.budget_left():
            now = time.monotonic()
            if now >= next_restore and latest is not None:
                next_restore = now + config.restore_every
                archive, start, end = latest
                latest = None  # each backup is restored at most once
                run.restoring = True
                paused = time.monotonic()
                try:
                    response = await http.put(
                        f"{CONFIG}/backup",
                        files={"backup": ("soak.zip", archive)},
                        data={"password": BACKUP_PASSWORD},
                    )
                    figures.requests += 1
                    figures.statuses[response.status_code] += 1
                    if response.status_code != 204:
                        figures.fail(
                            f"restore answered {response.status_code} {response.text[:200]}"
                        )
                    # No new requests until every client has checked its entities.
                    run.gate.clear()
                    await asyncio.gather(*(c.idle.wait() for c in clients))
                    if response.status_code == 204:
                        figures.restores += 1
                        await _wait_restarted(run, http)
                    else:  # nothing was replaced: every acknowledged write must still be there
                        start = end = time.monotonic()
                    for client in clients:
                        client.check(
                            await client.server_state(http),
                            start,
                            end,
                            f"restore {figures.restores}",
                        )
                finally:
                    run.restoring = False
                    run.gate.set()
                    figures.restore_pauses.append(round(time.monotonic() - paused, 2))
            elif now >= next_backup:
                next_backup = now + config.backup_every
                start = time.monotonic()
                response = await http.post(f"{CONFIG}/backup", json={"password": BACKUP_PASSWORD})
                end = time.monotonic()
                figures.requests += 1
                figures.statuses[response.status_code] += 1
                if response.status_code == 200:
                    figures.backups += 1
                    latest = (response.content, start, end)
                else:
                    figures.fail(f"backup answered {response.status_code} {response.text[:200]}")
            await asyncio.sleep(0.1)


async def sample_memory(run: Run, samples: list[tuple[float, int]]) -> None:
    while run.budget_left():
        rss = run.server.rss_bytes()
        if rss is not None:
            samples.append((time.monotonic() - run.started, rss))
        await asyncio.sleep(1.0)


async def setup(run: Run, clients: list[SoakClient]) -> None:
    async with run.client() as http:
        created = await http.post(
            f"{CONFIG}/subaccounts",
            json={
                "regionHost": REGION,
                "subaccount": SUBACCOUNT,
                "cloudUser": "soak@example.com",
                "cloudPassword": "Soak-Cloud-pw!",
                "displayName": "soak",
            },
        )
        if created.status_code != 201:
            raise RuntimeError(
                f"cannot create the subaccount: {created.status_code} {created.text}"
            )
        for client in clients:
            host = f"c{client.number}-base.soak"
            response = await http.post(
                f"{SA_PATH}/systemMappings", json=_mapping_body(host, "base")
            )
            if response.status_code != 201:
                raise RuntimeError(f"cannot create {host}: {response.status_code} {response.text}")


@dataclass
class Memory:
    window_seconds: float
    first_window_max_mib: float
    first_window_median_mib: float
    last_window_max_mib: float
    last_window_median_mib: float
    growth_mib: float
    limit_mib: float
    samples: int


def judge_memory(
    samples: list[tuple[float, int]], seconds: float, limit_mib: float
) -> Memory | None:
    if not samples:
        return None
    # The first and the last minute; a shorter run compares its halves.
    window = min(60.0, max(1.0, seconds / 2))
    end = samples[-1][0]
    first = [rss for t, rss in samples if t <= window] or [samples[0][1]]
    last = [rss for t, rss in samples if t >= end - window] or [samples[-1][1]]
    mib = 1024 * 1024
    return Memory(
        window_seconds=window,
        first_window_max_mib=round(max(first) / mib, 1),
        first_window_median_mib=round(statistics.median(first) / mib, 1),
        last_window_max_mib=round(max(last) / mib, 1),
        last_window_median_mib=round(statistics.median(last) / mib, 1),
        # Medians, so one KDF spike at the edge of a window does not decide.
        growth_mib=round((statistics.median(last) - statistics.median(first)) / mib, 1),
        limit_mib=limit_mib,
        samples=len(samples),
    )


async def soak(
    config: SoakConfig, server: Server, samples: list[tuple[float, int]]
) -> tuple[Figures, Memory | None, float]:
    run = Run(config, server)
    clients = [SoakClient(run, n) for n in range(1, config.clients + 1)]
    await setup(run, clients)
    run.started = time.monotonic()
    run.deadline = run.started + config.seconds
    tasks = [asyncio.create_task(c.work()) for c in clients]
    tasks += [
        asyncio.create_task(coordinate(run, clients)),
        asyncio.create_task(sample_memory(run, samples)),
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    elapsed = time.monotonic() - run.started
    # The final check: no restore since the last one, so every acknowledged write is there.
    async with run.client() as http:
        for client in clients:
            end = time.monotonic()
            client.check(await client.server_state(http), end, end, "end of run")
    memory = judge_memory(samples, elapsed, config.rss_limit_mib)
    if memory is not None and memory.growth_mib > config.rss_limit_mib:
        run.figures.fail(
            f"server memory grew by {memory.growth_mib} MiB from the first to the last "
            f"{memory.window_seconds:.0f} s (limit {config.rss_limit_mib} MiB)"
        )
    return run.figures, memory, elapsed


def summary(
    config: SoakConfig,
    figures: Figures,
    memory: Memory | None,
    elapsed: float,
    samples: list[tuple[float, int]],
) -> dict[str, Any]:
    return {
        "passed": not figures.failures,
        "seconds": round(elapsed, 1),
        "clients": config.clients,
        "kdf_profile": config.kdf_profile,
        "requests": figures.requests,
        "requests_per_second": round(figures.requests / elapsed, 1) if elapsed else 0.0,
        "reads": figures.reads,
        "writes_acknowledged": figures.writes_acked,
        "writes_checked": figures.writes_checked,
        "keys_checked": figures.keys_checked,
        "writes_replaced_by_restores": figures.writes_replaced_by_restores,
        "writes_refused_during_restore": figures.writes_refused_during_restore,
        "writes_unanswered_during_restore": figures.writes_unanswered_during_restore,
        "backups": figures.backups,
        "restores": figures.restores,
        "restore_pauses_seconds": figures.restore_pauses,
        "statuses": {str(k): v for k, v in sorted(figures.statuses.items())},
        "server_5xx": sum(v for k, v in figures.statuses.items() if k >= 500),
        "memory": asdict(memory) if memory else None,
        "rss_mib_by_second": [[round(t), round(rss / 1048576, 1)] for t, rss in samples],
        "failures": figures.failures,
    }


def main() -> int:
    config = SoakConfig.from_env()
    root = Path(tempfile.mkdtemp(prefix="openscc-soak-"))
    server = Server(root, config.kdf_profile)
    print(
        f"soak: {config.clients} clients for {config.seconds:.0f} s (at most {config.max_requests} "
        f"requests), backup every {config.backup_every:.0f} s, restore every {config.restore_every:.0f} s, "
        f"KDF profile {config.kdf_profile}",
        flush=True,
    )
    try:
        server.start()
        samples: list[tuple[float, int]] = []
        figures, memory, elapsed = asyncio.run(soak(config, server, samples))
    except Exception as error:
        print(
            f"soak: FAILED to run: {error}\n--- server log ---\n{server.log_tail()}",
            file=sys.stderr,
        )
        return 1
    finally:
        server.stop()
        if not config.keep:
            shutil.rmtree(root, ignore_errors=True)
    result = summary(config, figures, memory, elapsed, samples)
    if config.report:
        Path(config.report).write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps(
            {k: v for k, v in result.items() if k not in ("failures", "rss_mib_by_second")},
            indent=2,
        )
    )
    for failure in figures.failures[:30]:
        print(f"FAIL {failure}")
    print(
        "soak: PASSED" if result["passed"] else f"soak: FAILED ({len(figures.failures)} failures)"
    )
    if config.keep:
        print(f"soak: data and server log kept in {root}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

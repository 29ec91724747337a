"""``openscc fleet backup`` against several in-process servers: parallel, verified, pruned."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from client_harness import ADMIN, ADMIN_PASSWORD, BACKUP_PASSWORD, InProcessServer, invoke

from openscc.client.fleet import BACKUP_NAME, backups_in, next_backup_path, prune
from openscc.client.offline import verify_backup

FLEET_ENV = {"FLEET_PASSWORD": ADMIN_PASSWORD, "FLEET_BACKUP_PASSWORD": BACKUP_PASSWORD}


def _inventory(
    tmp_path: Path, names_and_urls: list[tuple[str, str]], **extra: dict[str, str]
) -> Path:
    """An inventory of these connectors sharing FLEET_ENV passwords; ``extra`` adds keys per name."""
    lines = [
        "[defaults]",
        f'user = "{ADMIN}"',
        'password_env = "FLEET_PASSWORD"',
        'backup_password_env = "FLEET_BACKUP_PASSWORD"',
    ]
    for name, url in names_and_urls:
        lines += ["[[connector]]", f'name = "{name}"', f'url = "{url}"']
        lines += [f"{key} = {value}" for key, value in extra.get(name, {}).items()]
    path = tmp_path / "fleet.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _fleet(
    servers: list[InProcessServer],
    inventory: Path,
    out: Path,
    *args: str,
    env: dict[str, str | None] | None = None,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> tuple[int, dict]:  # type: ignore[type-arg]
    """Run fleet backup with --json; the exit code and the parsed report."""
    result = invoke(
        servers,
        "fleet",
        "backup",
        "--inventory",
        str(inventory),
        "--out",
        str(out),
        "--json",
        *args,
        env=env or FLEET_ENV,
        transports=transports,
    )
    return result.exit_code, json.loads(result.stdout)


def test_every_connector_is_backed_up_verified_and_summarised(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """Each connector gets DIR/<name>/<timestamp>.zip that verifies; the summary lists each; exit 0."""
    servers = [make_server(name) for name in ("a", "b", "c")]
    inventory = _inventory(tmp_path, [(s.url.split("//")[1].split(".")[0], s.url) for s in servers])
    out = tmp_path / "out"

    result = invoke(
        servers, "fleet", "backup", "--inventory", str(inventory), "--out", str(out), env=FLEET_ENV
    )

    assert result.exit_code == 0, result.output
    for name in ("a", "b", "c"):
        (backup,) = (out / name).iterdir()
        assert BACKUP_NAME.fullmatch(backup.name)
        assert verify_backup(backup, BACKUP_PASSWORD).entities > 0
        assert name in result.stdout
    assert "3 of 3 connectors backed up" in result.stdout
    for column in ("Status", "Size", "Duration"):
        assert column in result.stdout


def test_failures_do_not_stop_the_others_and_set_the_exit_code(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """A down server and a wrong login fail alone; the others complete; exit = first failure's code."""
    up, down, locked = make_server("up"), make_server("down"), make_server("locked")
    down.down = True
    inventory = _inventory(
        tmp_path,
        [("down", down.url), ("up", up.url), ("locked", locked.url)],
        locked={"password_env": '"WRONG_PASSWORD"'},
    )

    code, report = _fleet(
        [up, down, locked], inventory, tmp_path / "out", env={**FLEET_ENV, "WRONG_PASSWORD": "no"}
    )

    by_name = {c["name"]: c for c in report["connectors"]}
    assert code == 7 == report["exitCode"]
    assert by_name["up"]["status"] == "ok"
    assert Path(by_name["up"]["path"]).is_file()
    assert by_name["down"]["status"] == "failed"
    assert by_name["down"]["error"]["exitCode"] == 7
    assert by_name["locked"]["status"] == "failed"
    assert by_name["locked"]["error"]["exitCode"] == 3
    assert not (tmp_path / "out" / "down").exists() or not any(
        (tmp_path / "out" / "down").iterdir()
    )


def test_a_missing_password_fails_only_that_connector(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """A password variable that is not set fails its connector (exit 2); the rest are backed up."""
    a, b = make_server("a"), make_server("b")
    inventory = _inventory(
        tmp_path, [("a", a.url), ("b", b.url)], b={"password_env": '"UNSET_VARIABLE"'}
    )

    code, report = _fleet(
        [a, b], inventory, tmp_path / "out", env={**FLEET_ENV, "UNSET_VARIABLE": None}
    )

    assert code == 2
    assert [c["status"] for c in report["connectors"]] == ["ok", "failed"]
    assert "UNSET_VARIABLE" in report["connectors"][1]["error"]["message"]


def test_keep_leaves_the_newest_n_and_other_files_alone(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """--keep N removes older backups beyond the newest N, and never a file it did not make."""
    server = make_server("a")
    inventory = _inventory(tmp_path, [("a", server.url)])
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "notes.txt").write_text("mine")

    made = [
        Path(_fleet([server], inventory, out, "--keep", "2")[1]["connectors"][0]["path"])
        for _ in range(3)
    ]

    assert sorted(p.name for p in (out / "a").iterdir()) == sorted(
        ["notes.txt", made[1].name, made[2].name]
    )


def test_a_failed_run_deletes_no_older_backup(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """When a connector fails, its older backups all stay, whatever --keep says."""
    server = make_server("a")
    inventory = _inventory(tmp_path, [("a", server.url)])
    out = tmp_path / "out"
    for _ in range(2):
        assert _fleet([server], inventory, out)[0] == 0
    server.down = True

    code, _ = _fleet([server], inventory, out, "--keep", "1")

    assert code == 7
    assert len(backups_in(out / "a")) == 2


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("config/scc_config.ini", "a backup in another format")
    return buffer.getvalue()


def _foreign_connector() -> httpx.MockTransport:
    """A Cloud Connector whose backups are ZIPs, but not openscc archives."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/connector/version":
            return httpx.Response(200, json={"version": "2.17.1"})
        return httpx.Response(
            200, headers={"Content-Type": "application/zip"}, content=_plain_zip()
        )

    return httpx.MockTransport(handle)


def test_a_backup_that_fails_verification_is_not_kept(tmp_path: Path) -> None:
    """With verify = "full", an archive that does not verify fails (exit 11) and leaves no file."""
    url = "https://foreign.test"
    inventory = _inventory(tmp_path, [("foreign", url)])

    code, report = _fleet([], inventory, tmp_path / "out", transports={url: _foreign_connector()})

    assert code == 11
    assert report["connectors"][0]["error"]["kind"] == "NotABackup"
    assert list((tmp_path / "out" / "foreign").iterdir()) == []


def test_verify_zip_accepts_another_products_archive(tmp_path: Path) -> None:
    """With verify = "zip", a complete ZIP from a Cloud Connector of another make is kept."""
    url = "https://foreign.test"
    inventory = _inventory(tmp_path, [("foreign", url)], foreign={"verify": '"zip"'})

    code, report = _fleet([], inventory, tmp_path / "out", transports={url: _foreign_connector()})

    assert code == 0
    assert report["connectors"][0]["verified"] == "zip"
    assert Path(report["connectors"][0]["path"]).read_bytes() == _plain_zip()


class _Gauge(httpx.AsyncBaseTransport):
    """Counts how many backup downloads are in flight at once across all connectors. The first
    downloads hold until ``together`` are in flight at once: the run must reach that many."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, shared: dict[str, int], reached: asyncio.Event,
        together: int,
    ) -> None:  # fmt: skip
        self.inner = inner
        self.shared = shared
        self.reached = reached
        self.together = together

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return await self.inner.handle_async_request(request)
        self.shared["now"] += 1
        self.shared["max"] = max(self.shared["max"], self.shared["now"])
        if self.shared["now"] >= self.together:
            self.reached.set()
        try:
            await asyncio.wait_for(self.reached.wait(), 60)
            return await self.inner.handle_async_request(request)
        finally:
            self.shared["now"] -= 1


def test_concurrency_runs_connectors_in_parallel_up_to_k(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """--concurrency K runs K connectors at the same time, never more."""
    servers = [make_server(f"s{i}") for i in range(4)]
    inventory = _inventory(tmp_path, [(s.url.split("//")[1].split(".")[0], s.url) for s in servers])
    shared = {"now": 0, "max": 0}
    reached = asyncio.Event()
    gauges = {s.url: _Gauge(s.transport, shared, reached, together=2) for s in servers}

    code, _ = _fleet([], inventory, tmp_path / "out", "--concurrency", "2", transports=gauges)

    assert code == 0
    assert shared["max"] == 2


def test_backups_of_the_same_second_get_distinct_names_in_order(tmp_path: Path) -> None:
    """Two runs within one second never overwrite each other, and pruning keeps the later one."""
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    first = next_backup_path(tmp_path, now)
    first.write_bytes(b"1")
    second = next_backup_path(tmp_path, now)
    second.write_bytes(b"2")
    later = next_backup_path(tmp_path, datetime(2025, 3, 1, 12, 0, 1, tzinfo=UTC))
    later.write_bytes(b"3")

    assert (first.name, second.name) == ("20250301T120000Z.zip", "20250301T120000Z-2.zip")
    assert prune(tmp_path, 2) == [first]
    assert backups_in(tmp_path) == [second, later]


def test_an_invalid_inventory_exits_2_before_any_backup(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """An inventory with a mistake is refused as a whole (exit 2) and nothing is written."""
    server = make_server("a")
    inventory = tmp_path / "fleet.toml"
    inventory.write_text(f'[[connector]]\nname = "a"\nurl = "{server.url}"\n')

    result = invoke(
        [server], "fleet", "backup", "--inventory", str(inventory), "--out", str(tmp_path / "out")
    )

    assert result.exit_code == 2
    assert "user is required" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_summary_never_cuts_a_path_when_not_on_a_terminal(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """A cron log gets every path whole: one line per connector, tab-separated fields."""
    server = make_server("eu10-production-landscape-connector")
    inventory = _inventory(tmp_path, [("eu10-production-landscape-connector", server.url)])
    out = tmp_path / "a-rather-long-folder-for-the-nightly-backups" / "of-every-connector"

    result = invoke(
        server, "fleet", "backup", "--inventory", str(inventory), "--out", str(out), env=FLEET_ENV
    )

    assert result.exit_code == 0, result.output
    (backup,) = (out / "eu10-production-landscape-connector").iterdir()
    assert str(backup) in result.stdout
    assert "…" not in result.stdout
    line = next(line for line in result.stdout.splitlines() if str(backup) in line)
    assert line.split("\t")[:2] == ["eu10-production-landscape-connector", "ok"]

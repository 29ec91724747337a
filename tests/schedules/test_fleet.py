"""The fleet: one `openscc serve` (the manager) backs up two others through the seed's documented
API into one folder, keeps each connector's generations apart under retention, reports every
connector's state, and sends an archive back to its connector after showing the dry run."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from openscc.schedules.sources import Source
from openscc.schedules.targets import archive_name, made_by
from support.connectors import CONNECTOR, admin_client, description_of, source_of
from support.schedules import run_now
from support.server_process import ServerProcess
from support.waiting import wait_for

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"
FLEET = "/api/openscc/v1/backup/fleet"
BACKUP_PASSWORD = "Fleet-backup-pa55word"

pytestmark = pytest.mark.slow


def _origin(server: ServerProcess) -> str:
    return Source(url=server.url, user="", certificate="", ca_certificate="", password="").origin


def _schedule(client: httpx.Client, name: str, target: Path, **more: Any) -> None:
    body = {"name": name, "cron": "0 3 * * *", "password": BACKUP_PASSWORD,
            "target": {"type": "directory", "path": str(target)}, "keep": {"last": 2}, **more}  # fmt: skip
    answer = client.post(SCHEDULES, json=body)
    assert answer.status_code == 201, answer.text


def _archives(folder: Path, schedule: str, origin: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if made_by(schedule, origin, p.name))


def _alpha_backed_up(manager: ServerProcess, alpha: ServerProcess, folder: Path) -> dict[str, Any]:
    """alpha's description "as backed up" in an archive the manager's schedule ``alpha`` made
    into ``folder``, and "changed since" on alpha afterwards: the archive, as the fleet lists it."""
    folder.mkdir()
    with admin_client(alpha) as at_alpha:
        assert at_alpha.put(CONNECTOR, json={"description": "as backed up"}).status_code == 200
    with admin_client(manager) as client:
        _schedule(client, "alpha", folder, source=source_of(alpha))
        assert run_now(client, "alpha", timeout=120)["status"] == "succeeded"
        [archive] = client.get(f"{FLEET}/alpha/archives").json()
    with admin_client(alpha) as at_alpha:
        assert at_alpha.put(CONNECTOR, json={"description": "changed since"}).status_code == 200
    return dict(archive)


@pytest.fixture
def trio(
    tmp_path: Path, server_factory: Callable[..., ServerProcess]
) -> tuple[ServerProcess, ServerProcess, ServerProcess]:
    return (server_factory(tmp_path / "manager").start(), server_factory(tmp_path / "alpha").start(),
            server_factory(tmp_path / "beta").start())  # fmt: skip


def test_two_connectors_backed_up_into_one_folder_keep_their_generations_apart(
    trio: tuple[ServerProcess, ServerProcess, ServerProcess], tmp_path: Path
) -> None:
    """``nightly`` (alpha) and ``nightly-2`` (beta): the one name begins the other, and both
    write to one folder with keep last 2; each run prunes only its own connector's archives."""
    manager, alpha, beta = trio
    folder = tmp_path / "archives"
    folder.mkdir()
    older = [dt.datetime(2026, 1, day, 3, 0, tzinfo=dt.UTC) for day in (1, 2)]
    for schedule, server in (("nightly", alpha), ("nightly-2", beta)):
        for when in older:
            (folder / archive_name(schedule, _origin(server), when)).write_bytes(b"an older one")
    with admin_client(manager) as client:
        _schedule(client, "nightly", folder, source=source_of(alpha))
        _schedule(client, "nightly-2", folder, source=source_of(beta))
        _schedule(client, "nightly-3", folder, source=source_of(beta, password="Not-the-pa55word"))
        _schedule(client, "own", folder)

        first = run_now(client, "nightly", timeout=120)
        after_first = {s: _archives(folder, s, _origin(srv))
                       for s, srv in (("nightly", alpha), ("nightly-2", beta))}  # fmt: skip
        second = run_now(client, "nightly-2", timeout=120)
        refused = run_now(client, "nightly-3", timeout=120)
        rows = {row["schedule"]: row for row in client.get(FLEET).json()}

    assert (first["status"], second["status"]) == ("succeeded", "succeeded"), (first, second)
    assert first["verification"].startswith("full")
    # alpha's run kept its new archive and its newest older one; beta's two stayed untouched.
    assert after_first["nightly"] == [
        archive_name("nightly", _origin(alpha), older[1]),
        Path(first["object"]).name,
    ]
    assert after_first["nightly-2"] == [
        archive_name("nightly-2", _origin(beta), when) for when in older
    ]
    assert _archives(folder, "nightly-2", _origin(beta)) == [
        archive_name("nightly-2", _origin(beta), older[1]),
        Path(second["object"]).name,
    ]
    assert _archives(folder, "nightly", _origin(alpha))[-1] == Path(first["object"]).name
    # The fleet: each connector's row, with its state.
    assert refused["status"] == "failed"
    assert rows["nightly"]["connector"] == alpha.url
    assert rows["nightly"]["state"] == "ok"
    assert rows["nightly"]["lastSize"] == first["size"]
    assert rows["nightly"]["newestArchiveAgeSeconds"] >= 0
    assert rows["nightly-2"]["connector"] == beta.url
    assert rows["nightly-3"]["state"] == "failing"
    assert "refused the user" in rows["nightly-3"]["lastError"]
    assert (rows["own"]["connector"], rows["own"]["state"]) == ("this instance", "never")
    by_connector = sorted(
        [(alpha.url, "nightly"), (beta.url, "nightly-2"), (beta.url, "nightly-3")]
    )
    assert [row["schedule"] for row in rows.values()] == [n for _, n in by_connector] + ["own"]
    assert all(row["nextRunAt"].endswith("03:00:00Z") for row in rows.values())
    assert "Not-the-pa55word" not in str(rows)


def test_an_archive_goes_back_to_its_connector_after_its_dry_run(
    trio: tuple[ServerProcess, ServerProcess, ServerProcess], tmp_path: Path
) -> None:
    manager, alpha, _beta = trio
    folder = tmp_path / "archives"
    archive = _alpha_backed_up(manager, alpha, folder)
    with admin_client(manager) as client:
        # The schedule's password changes after the archive was made: the archive's own
        # password goes with the request.
        changed = {"cron": "0 3 * * *", "target": {"type": "directory", "path": str(folder)},
                   "password": "Another-backup-pa55word"}  # fmt: skip
        assert client.put(f"{SCHEDULES}/alpha", json=changed).status_code == 200

        # A Cloud Connector's own archive of alpha (as SAP's product makes them): no preview,
        # and alpha, an openscc, refuses it with its own message, relayed.
        sap = archive_name("alpha", _origin(alpha), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        with zipfile.ZipFile(folder / sap, "w") as archive_of_sap:
            archive_of_sap.writestr("config/scc_config.ini", "[scc]\n")
        sap_preview = client.post(f"{FLEET}/alpha/restore", json={"archive": sap, "dryRun": True})
        sap_restore = client.post(f"{FLEET}/alpha/restore", json={"archive": sap})
        [archive, _sap] = client.get(f"{FLEET}/alpha/archives").json()
        own = {"archive": archive["name"], "password": BACKUP_PASSWORD}
        preview = client.post(f"{FLEET}/alpha/restore", json={**own, "dryRun": True})
        unchanged = description_of(alpha)
        refused = client.post(f"{FLEET}/alpha/restore", json={"archive": archive["name"]})
        restored = client.post(f"{FLEET}/alpha/restore", json=own)

    assert sap_preview.status_code == 200, sap_preview.text
    assert sap_preview.json()["preview"] is False
    assert "offers no preview" in sap_preview.json()["why"]
    assert sap_restore.status_code == 400
    assert sap_restore.json()["message"].startswith(
        f"the connector at {alpha.url} refused the archive"
    )
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["connector"] == alpha.url
    assert (report["preview"], report["dryRun"]["dryRun"]) == (True, True)
    assert "connector" in str(report["dryRun"]["changes"])
    assert unchanged == "changed since"  # the dry run changed nothing
    assert refused.status_code == 400  # the schedule's new password does not open it
    assert restored.status_code == 200, restored.text
    assert restored.json()["restarting"] is True
    wait_for(lambda: description_of(alpha) == "as backed up", "alpha to restart into the archive",
             timeout=120)  # fmt: skip
    audited = [
        json.loads(line) for line in (manager.data_dir / "audit.log").read_text().splitlines()
    ]
    [entry] = [e for e in audited if e.get("event") == "backup.fleet_restored"]
    assert (entry["connector"], entry["archive"]) == (alpha.url, archive["name"])
    events = [e["event"] for e in audited if e.get("event", "").startswith("backup.fleet_")]
    assert events.count("backup.fleet_restore_previewed") == 2
    assert events.count("backup.fleet_restore_failed") == 2  # SAP's archive, the old password
    assert BACKUP_PASSWORD not in json.dumps(audited)


def test_the_command_shows_the_dry_run_then_restores_once_confirmed(
    trio: tuple[ServerProcess, ServerProcess, ServerProcess], tmp_path: Path
) -> None:
    """``openscc backup fleet restore``: the connector's dry run first; without --yes in a
    script, nothing is sent (exit 16); with it, the connector restarts into the archive."""
    from click.testing import CliRunner

    from openscc.cli import cli

    manager, alpha, _beta = trio
    archive = _alpha_backed_up(manager, alpha, tmp_path / "archives")
    user, password = manager.admin_auth
    command = ["backup", "fleet", "restore", "alpha", archive["name"], "--url", manager.url,
               "--user", user, "--ca-file", str(manager.certificate_path)]  # fmt: skip
    env = {"OPENSCC_PASSWORD": password}

    unconfirmed = CliRunner().invoke(cli, command, env=env)
    unchanged = description_of(alpha)
    confirmed = CliRunner().invoke(cli, [*command, "--yes"], env=env)

    assert unconfirmed.exit_code == 16, unconfirmed.output
    assert "Dry run: restoring" in unconfirmed.output
    assert "description: changed since → as backed up" in unconfirmed.output
    assert unchanged == "changed since"
    assert confirmed.exit_code == 0, confirmed.output
    assert f"{alpha.url} accepted" in confirmed.output
    wait_for(lambda: description_of(alpha) == "as backed up", "alpha to restart into the archive",
             timeout=120)  # fmt: skip

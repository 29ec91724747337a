"""``openscc backup fleet status|archives|restore``: the server's fleet as a table or JSON, and a
restore that is never sent unconfirmed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import Result
from client_harness import ADMIN_PASSWORD, InProcessServer, invoke, remote

from openscc.config import certs
from support.waiting import wait_for

ENV = {"OPENSCC_PASSWORD": ADMIN_PASSWORD, "OPENSCC_BACKUP_PASSWORD": "Scheduled-pa55word",
       "OPENSCC_SOURCE_PASSWORD": "Source-pa55word"}  # fmt: skip
UNREACHABLE = "https://127.0.0.1:9"


def _add(server: InProcessServer, tmp_path: Path) -> None:
    pem = tmp_path / "source.pem"
    pem.write_text(certs.self_signed(certs.parse_dn("CN=127.0.0.1")).certificate_pem)
    for name, more in (("plant-9", ["--source", UNREACHABLE, "--source-user", "Administrator",
                                    "--source-certificate", str(pem)]), ("own", [])):  # fmt: skip
        added = invoke(server, *remote(server, "backup", "schedule", "add", name, "--cron",
                       "0 3 * * *", "--directory", str(tmp_path), *more), env=ENV)  # fmt: skip
        assert added.exit_code == 0, added.output


def test_status_lists_each_connector_with_its_state(
    server: InProcessServer, tmp_path: Path
) -> None:
    _add(server, tmp_path)
    ran = invoke(server, *remote(server, "backup", "schedule", "run", "plant-9"), env=ENV)
    assert ran.exit_code == 0, ran.output

    def status() -> Result | None:
        answer = invoke(server, *remote(server, "backup", "fleet", "status", "--json"), env=ENV)
        rows = {row["schedule"]: row for row in json.loads(answer.stdout)}
        ended = rows["plant-9"]["lastError"] is not None and not rows["plant-9"]["running"]
        return answer if ended and answer.exit_code == 0 else None

    as_json = wait_for(status, "the run of plant-9 to end")
    as_table = invoke(server, *remote(server, "backup", "fleet", "status"), env=ENV)

    assert as_json.exit_code == 0, as_json.output
    rows = {row["schedule"]: row for row in json.loads(as_json.stdout)}
    assert (rows["plant-9"]["connector"], rows["plant-9"]["state"]) == (UNREACHABLE, "failing")
    assert "cannot be reached" in rows["plant-9"]["lastError"]
    assert (rows["own"]["connector"], rows["own"]["state"]) == ("this instance", "never")
    assert as_table.exit_code == 0, as_table.output
    lines = as_table.stdout.splitlines()
    [failing] = [line for line in lines if line.startswith(UNREACHABLE)]
    assert failing.split("\t")[1:3] == ["plant-9", "failing"]
    assert "0 of 2 schedules ok or running." in as_table.stdout
    assert "Source-pa55word" not in as_table.stdout + as_json.stdout


def test_a_restore_is_not_sent_unconfirmed(server: InProcessServer, tmp_path: Path) -> None:
    _add(server, tmp_path)
    name = "openscc-plant-9-127.0.0.1_9-20300102T030000Z.zip"
    with zipfile.ZipFile(tmp_path / name, "w") as archive:
        archive.writestr("config/scc_config.ini", "[scc]\n")

    listed = invoke(server, *remote(server, "backup", "fleet", "archives", "plant-9", "--json"),
                    env=ENV)  # fmt: skip
    unconfirmed = invoke(server, *remote(server, "backup", "fleet", "restore", "plant-9", name),
                         env=ENV)  # fmt: skip
    confirmed = invoke(server, *remote(server, "backup", "fleet", "restore", "plant-9", name,
                       "--yes"), env=ENV)  # fmt: skip

    assert [a["name"] for a in json.loads(listed.stdout)] == [name]
    assert unconfirmed.exit_code == 16
    assert f"restoring {name} on {UNREACHABLE} was not confirmed" in unconfirmed.output
    assert confirmed.exit_code == 1  # sent, and the connector could not be reached
    assert "cannot be reached" in confirmed.output

"""``openscc backup schedule`` (add, list, run, runs, remove a server's backup schedules) and
``openscc backup restore --subaccount``; the password, the S3 secret key and the Azure key or SAS
token read from a variable or file, never the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path

from client_harness import ADMIN_PASSWORD, InProcessServer, invoke, remote

ENV = {"OPENSCC_PASSWORD": ADMIN_PASSWORD, "OPENSCC_BACKUP_PASSWORD": "Scheduled-pa55word"}


def test_a_schedule_is_added_run_listed_and_removed(
    server: InProcessServer, tmp_path: Path
) -> None:
    target = tmp_path / "backups"
    target.mkdir()

    added = invoke(server, *remote(server, "backup", "schedule", "add", "nightly",
                   "--cron", "0 0 1 1 *", "--directory", str(target), "--keep-last", "3",
                   "--json"), env=ENV)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["keep"] == {"last": 3}

    listed = invoke(server, *remote(server, "backup", "schedule", "list"), env=ENV)
    assert listed.exit_code == 0, listed.output
    assert "nightly" in listed.stdout
    assert "Scheduled-pa55word" not in listed.stdout

    started = invoke(server, *remote(server, "backup", "schedule", "run", "nightly", "--json"),
                     env=ENV)  # fmt: skip
    assert started.exit_code == 0, started.output
    run_id = json.loads(started.stdout)["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = invoke(server, *remote(server, "backup", "schedule", "runs", "--json"), env=ENV)
        [run] = [r for r in json.loads(runs.stdout) if r["id"] == run_id]
        if run["status"] != "running":
            break
        time.sleep(0.05)
    assert run["status"] == "succeeded", run
    assert len(list(target.glob("openscc-nightly-*.zip"))) == 1

    removed = invoke(server, *remote(server, "backup", "schedule", "remove", "nightly"), env=ENV)
    assert removed.exit_code == 0, removed.output
    again = invoke(server, *remote(server, "backup", "schedule", "remove", "nightly"), env=ENV)
    assert again.exit_code == 5  # not found


def test_an_s3_schedule_takes_its_secret_key_from_the_environment(server: InProcessServer) -> None:
    added = invoke(server, *remote(server, "backup", "schedule", "add", "offsite",
                   "--cron", "0 3 * * 0", "--s3-bucket", "scc", "--s3-access-key-id", "AKIA2",
                   "--json"),
                   env={**ENV, "OPENSCC_S3_SECRET_ACCESS_KEY": "s3-secret"})  # fmt: skip

    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["target"]["credentials"] == "stored"
    assert "s3-secret" not in added.stdout


def test_one_target_exactly(server: InProcessServer) -> None:
    for targets in (("--directory", "/tmp", "--s3-bucket", "b"),
                    ("--directory", "/tmp", "--azure-account", "scc", "--azure-container", "c"),
                    ("--s3-bucket", "b", "--azure-account", "scc", "--azure-container", "c"),
                    ()):  # fmt: skip
        refused = invoke(server, *remote(server, "backup", "schedule", "add", "x", "--cron",
                         "* * * * *", *targets), env=ENV)  # fmt: skip
        assert refused.exit_code == 2, targets
        assert "one target: --directory, --s3-bucket or --azure-account" in refused.output


def test_an_azure_schedule_takes_its_key_or_token_from_a_file_or_variable_and_is_listed(
    server: InProcessServer, tmp_path: Path
) -> None:
    key = "QXp1cmUtYWNjb3VudC1rZXk="  # base64, as an account key is
    sas_file = tmp_path / "sas"
    sas_file.write_text("?sv=2025-01-05&sr=c&sp=racwdl&sig=c2FzLXNpZw%3D%3D\n")
    azure = ("--azure-account", "sccbackups", "--azure-container", "plant-7", "--cron",
             "0 3 * * *", "--json")  # fmt: skip

    keyed = invoke(server, *remote(server, "backup", "schedule", "add", "keyed", *azure,
                   "--azure-prefix", "site-1", "--azure-endpoint", "https://blob.example:8443"),
                   env={**ENV, "OPENSCC_AZURE_ACCOUNT_KEY": key})  # fmt: skip
    signed = invoke(server, *remote(server, "backup", "schedule", "add", "signed", *azure,
                    "--azure-sas-file", str(sas_file)), env=ENV)  # fmt: skip
    chained = invoke(server, *remote(server, "backup", "schedule", "add", "chained", *azure),
                     env=ENV)  # fmt: skip
    both = invoke(server, *remote(server, "backup", "schedule", "add", "both", *azure,
                  "--azure-sas-file", str(sas_file)),
                  env={**ENV, "OPENSCC_AZURE_ACCOUNT_KEY": key})  # fmt: skip
    orphan = invoke(server, *remote(server, "backup", "schedule", "add", "orphan", "--cron",
                    "0 3 * * *", "--directory", "/tmp", "--azure-container", "c"), env=ENV)  # fmt: skip
    listed = invoke(server, *remote(server, "backup", "schedule", "list"), env=ENV)

    for added, credentials in ((keyed, "key"), (signed, "sas"), (chained, "environment")):
        assert added.exit_code == 0, added.output
        assert json.loads(added.stdout)["target"]["credentials"] == credentials
        assert key not in added.stdout
        assert "sig=" not in added.stdout
    assert json.loads(keyed.stdout)["target"] == {
        "type": "azure", "account": "sccbackups", "container": "plant-7", "prefix": "site-1",
        "endpoint": "https://blob.example:8443", "credentials": "key",
    }  # fmt: skip
    assert both.exit_code == 2
    assert "not both" in both.output
    assert orphan.exit_code == 2
    assert "need --azure-account" in orphan.output
    assert listed.exit_code == 0, listed.output
    assert "azure://sccbackups/plant-7/site-1" in listed.stdout
    assert key not in listed.stdout


def test_restore_of_one_subaccount_from_the_cli(server: InProcessServer, tmp_path: Path) -> None:
    """openscc backup restore FILE --subaccount REGION/ID: that subaccount only, no restart."""
    region = "cf.eu10.hana.ondemand.com"
    for name in ("kept", "restored"):
        assert (
            server.http.post(
                "/api/v1/configuration/subaccounts",
                json={
                    "regionHost": region,
                    "subaccount": name,
                    "cloudUser": "u",
                    "cloudPassword": "p",
                },
                auth=server.auth,
            ).status_code
            == 201
        )
    archive = tmp_path / "b.zip"
    archive.write_bytes(server.backup(ENV["OPENSCC_BACKUP_PASSWORD"]))
    for name in ("kept", "restored"):
        server.http.put(f"/api/v1/configuration/subaccounts/{region}/{name}",
                        json={"description": "changed"}, auth=server.auth)  # fmt: skip

    preview = invoke(server, *remote(server, "backup", "restore", str(archive), "--subaccount",
                     f"{region}/restored", "--dry-run", "--json"), env=ENV)  # fmt: skip
    done = invoke(server, *remote(server, "backup", "restore", str(archive), "--subaccount",
                  f"{region}/restored"), env=ENV)  # fmt: skip

    assert preview.exit_code == 0, preview.output
    assert json.loads(preview.stdout)["changeCount"] == 1
    assert done.exit_code == 0, done.output
    assert "Safety backup: safety-" in done.stdout
    described = {
        name: server.http.get(
            f"/api/v1/configuration/subaccounts/{region}/{name}", auth=server.auth
        ).json()["description"]
        for name in ("kept", "restored")
    }
    assert described == {"kept": "changed", "restored": ""}


def test_a_schedule_of_another_connector_is_added_with_its_password_from_a_variable(
    server: InProcessServer, tmp_path: Path
) -> None:
    from openscc.config import certs

    pem = tmp_path / "source.pem"
    pem.write_text(certs.self_signed(certs.parse_dn("CN=scc.example")).certificate_pem)
    target = tmp_path / "backups"
    target.mkdir()

    added = invoke(server, *remote(server, "backup", "schedule", "add", "plant-9",
                   "--cron", "0 3 * * *", "--directory", str(target),
                   "--source", "https://scc.example:8443", "--source-user", "Administrator",
                   "--source-certificate", str(pem), "--json"),
                   env={**ENV, "OPENSCC_SOURCE_PASSWORD": "Source-pa55word"})  # fmt: skip
    refused = invoke(server, *remote(server, "backup", "schedule", "add", "plant-10",
                     "--cron", "0 3 * * *", "--directory", str(target),
                     "--source", "https://scc.example:8443", "--source-user", "Administrator"),
                     env={**ENV, "OPENSCC_SOURCE_PASSWORD": "Source-pa55word"})  # fmt: skip

    assert added.exit_code == 0, added.output
    shown = json.loads(added.stdout)["source"]
    assert (shown["url"], shown["user"]) == ("https://scc.example:8443", "Administrator")
    assert "Source-pa55word" not in added.stdout
    assert refused.exit_code == 2
    assert "never backed up unverified" in refused.output

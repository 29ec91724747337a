"""Scheduled backups to Azure Blob Storage: the target checked and its secret never answered (in
process), and runs against a real Azurite on loopback (marked slow): an account key, a SAS
token, the Azure credential chain, and the failures a person must be told of."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc import __version__
from openscc.backup.archive import read_archive
from openscc.config import certs
from openscc.schedules.targets import archive_name, origin_of
from support.apps import instance_of
from support.azurite import ACCOUNT, KEY, Azurite, fake_az_cli
from support.schedules import RUNS, SCHEDULES, run_now
from support.smtp import MailPki

PASSWORD = "Scheduled-pa55word"
NEVER = "0 0 1 1 *"
# A valid key of another account: Azurite refuses what it signs.
WRONG_KEY = "d3Jvbmcta2V5LW9mLWFub3RoZXItYWNjb3VudC0wMTIzNDU2Nzg5YWJjZGVmZ2hpams="
A_SAS = "sv=2025-01-05&sr=c&sp=racwdl&se=2099-01-01T00%3A00%3A00Z&sig=c2lnbmF0dXJl"


def _target(endpoint: str, container: str = "scc-backups", **secret: str) -> dict[str, str]:
    return {"type": "azure", "account": ACCOUNT, "container": container, "prefix": "plant-7",
            "endpoint": endpoint, **secret}  # fmt: skip


def _add(admin: TestClient, name: str, target: dict[str, str], **more: Any) -> None:
    body = {"name": name, "cron": NEVER, "target": target, "password": PASSWORD, **more}
    added = admin.post(SCHEDULES, json=body)
    assert added.status_code == 201, added.text


def _stored(app: Starlette, name: str) -> tuple[dict[str, str], str]:
    """The schedule's sealed secret as stored, and its body as text."""
    record = instance_of(app).store.get("backupSchedule", name, with_secret=True)
    assert record is not None
    return dict(record.secret or {}), str(record.body)


# In process: what the API accepts, answers and keeps.


def test_azure_targets_are_checked_with_a_message_that_says_what_is_wrong(
    admin: TestClient,
) -> None:
    endpoint = "https://scc.blob.core.windows.net"
    for target, message in (
        ({**_target(endpoint), "account": "Plant7"}, "3-24 lowercase letters and digits"),
        ({**_target(endpoint), "account": "ab"}, "3-24 lowercase letters and digits"),
        ({**_target(endpoint), "account": "a" * 25}, "3-24 lowercase letters and digits"),
        (_target(endpoint, "Backups"), "target.container must be a container's name"),
        (_target(endpoint, "scc--backups"), "never two hyphens in a row"),
        (_target(endpoint, "-backups"), "a letter or digit first and last"),
        (_target(endpoint, "ab"), "3-63 lowercase letters"),
        (_target(endpoint, "b" * 64), "3-63 lowercase letters"),
        ({k: v for k, v in _target(endpoint).items() if k != "container"}, "target.container"),
        (_target(endpoint, accessKey=KEY, sasToken=A_SAS), "target.accessKey or target.sasToken"),
        (_target(endpoint, accessKey="not a key: secret-1"), "target.accessKey must be"),
        (_target(endpoint, sasToken="not a token: secret-2"), "target.sasToken must be"),
        (_target(endpoint, sasToken="sv=2025-01-05&sp=r"), "target.sasToken must be"),
        (_target("::bad"), "target.endpoint must be an http:// or https:// URL"),
        (_target("ftp://files.example"), "target.endpoint must be"),
        ({**_target(endpoint), "bucket": "b"}, "unknown target field(s): bucket"),
        ({**_target(endpoint), "prefix": 7}, "target.prefix must be a string"),
    ):
        refused = admin.post(
            SCHEDULES, json={"name": "x", "cron": NEVER, "target": target, "password": PASSWORD}
        )
        assert refused.status_code == 400, target
        assert refused.json()["type"] == "INVALID_REQUEST"
        assert message in refused.json()["message"], (target, refused.json())
        assert "secret-" not in refused.text  # a refused secret is never repeated
    assert admin.get(SCHEDULES).json() == []
    ftp = admin.post(
        SCHEDULES, json={"name": "x", "cron": NEVER, "target": {"type": "ftp"}, "password": "p"}
    )
    assert '"directory", "s3" or "azure"' in ftp.json()["message"]


def test_an_azure_schedule_never_answers_its_key_or_token(
    admin: TestClient, admin_app: Starlette
) -> None:
    endpoint = "https://scc.blob.core.windows.net/"
    _add(admin, "keyed", _target(endpoint, accessKey=KEY))
    _add(admin, "signed", _target(endpoint, sasToken=f"?{A_SAS}"))
    _add(admin, "chained", _target(endpoint))

    answers = [admin.get(SCHEDULES), *(admin.get(f"{SCHEDULES}/{n}")
               for n in ("keyed", "signed", "chained"))]  # fmt: skip

    for answer in answers:
        assert KEY not in answer.text
        assert "sig=" not in answer.text
    shown = {s["name"]: s["target"] for s in answers[0].json()}
    assert shown["keyed"] == {"type": "azure", "account": ACCOUNT, "container": "scc-backups",
                              "prefix": "plant-7", "endpoint": "https://scc.blob.core.windows.net",
                              "credentials": "key"}  # fmt: skip
    assert shown["signed"]["credentials"] == "sas"
    assert shown["chained"]["credentials"] == "environment"
    # Sealed with the schedule's secret, never in its body; the SAS without its "?".
    (keyed, keyed_body), (signed, signed_body) = (
        _stored(admin_app, n) for n in ("keyed", "signed")
    )
    assert keyed == {"password": PASSWORD, "accessKey": KEY}
    assert signed == {"password": PASSWORD, "sasToken": A_SAS}
    assert KEY not in keyed_body
    assert A_SAS not in signed_body


def test_a_put_keeps_the_stored_secret_only_for_the_same_store(
    admin: TestClient, admin_app: Starlette
) -> None:
    endpoint = "https://scc.blob.core.windows.net"

    def put(name: str, target: dict[str, str]) -> str:
        answer = admin.put(f"{SCHEDULES}/{name}", json={"cron": NEVER, "target": target})
        assert answer.status_code == 200, answer.text
        return str(admin.get(f"{SCHEDULES}/{name}").json()["target"]["credentials"])

    _add(admin, "same", _target(endpoint, accessKey=KEY))
    assert put("same", {**_target(endpoint), "prefix": "plant-8"}) == "key"
    assert _stored(admin_app, "same")[0] == {"password": PASSWORD, "accessKey": KEY}
    assert put("same", _target(endpoint, sasToken=A_SAS)) == "sas"  # a new secret replaces it
    assert _stored(admin_app, "same")[0] == {"password": PASSWORD, "sasToken": A_SAS}
    for name, moved in (
        ("other-account", {**_target(endpoint), "account": "elsewhere"}),
        ("other-container", _target(endpoint, "other-backups")),
        ("other-endpoint", _target("https://scc.blob.core.chinacloudapi.cn")),
        ("to-s3", {"type": "s3", "bucket": "scc-backups", "endpoint": endpoint}),
    ):
        _add(admin, name, _target(endpoint, accessKey=KEY))
        assert put(name, moved) == "environment", name
        assert _stored(admin_app, name)[0] == {"password": PASSWORD}, name


# Against a real Azurite.


@pytest.fixture(scope="module")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    with Azurite(tmp_path_factory.mktemp("azurite")) as server:
        yield server


@pytest.mark.slow
def test_a_run_with_the_account_key_uploads_a_verified_archive_and_retention_keeps_foreign_blobs(
    admin_app: Starlette, admin: TestClient, azurite: Azurite
) -> None:
    azurite.create_container("scc-backups")
    azurite.put("scc-backups", "plant-7/someone-elses.zip", b"not ours")
    # Another site's schedule of the same name, one level deeper and newer: not ours either.
    azurite.put("scc-backups", "plant-7/site-2/openscc-nightly-20990101T000000Z.zip", b"not ours")
    _add(admin, "nightly", _target(azurite.endpoint, accessKey=KEY), keep={"last": 2})

    run = run_now(admin, "nightly")

    assert run["status"] == "succeeded", run
    assert run["target"] == f"azure://{ACCOUNT}/scc-backups/plant-7"
    assert run["object"].startswith(f"azure://{ACCOUNT}/scc-backups/plant-7/openscc-nightly-")
    data = azurite.get("scc-backups", run["object"].removeprefix(f"azure://{ACCOUNT}/scc-backups/"))
    assert hashlib.sha256(data).hexdigest() == run["sha256"]
    assert len(data) == run["size"]
    reader = read_archive(io.BytesIO(data), password=PASSWORD, product_version=__version__)
    assert sum(1 for _ in reader.records()) > 0
    # Three more runs on later days: two of this schedule's archives stay, the foreign ones too.
    scheduler = admin_app.state.services.schedules
    schedule = scheduler.one("nightly")
    for day in range(1, 4):
        when = dt.datetime(2030, 1, day, 2, 0, tzinfo=dt.UTC)
        ran = scheduler.runner.run(schedule, scheduler.runner.begin(schedule, when), when)
        assert ran.status == "succeeded", ran.error
    origin = origin_of(instance_of(admin_app).instance_id)
    assert azurite.names("scc-backups") == [
        f"plant-7/openscc-nightly-{origin}-20300102T020000Z.zip",
        f"plant-7/openscc-nightly-{origin}-20300103T020000Z.zip",
        "plant-7/site-2/openscc-nightly-20990101T000000Z.zip",
        "plant-7/someone-elses.zip",
    ]


@pytest.mark.slow
def test_a_run_with_a_sas_token_uploads_its_archive(admin: TestClient, azurite: Azurite) -> None:
    azurite.create_container("sas-backups")
    token = azurite.sas("sas-backups")
    _add(admin, "signed", _target(azurite.endpoint, "sas-backups", sasToken=token))

    run = run_now(admin, "signed")

    assert run["status"] == "succeeded", run
    [name] = azurite.names("sas-backups")
    assert run["object"] == f"azure://{ACCOUNT}/sas-backups/{name}"
    assert hashlib.sha256(azurite.get("sas-backups", name)).hexdigest() == run["sha256"]
    assert admin.get(f"{SCHEDULES}/signed").json()["target"]["credentials"] == "sas"


@pytest.mark.slow
def test_a_wrong_key_or_token_fails_the_run_with_an_alert_and_never_shows_it(
    admin_app: Starlette, admin: TestClient, azurite: Azurite, caplog: pytest.LogCaptureFixture
) -> None:
    azurite.create_container("refused")
    wrong_sas = azurite.sas("refused", key=WRONG_KEY)
    _add(admin, "wrong-key", _target(azurite.endpoint, "refused", accessKey=WRONG_KEY))
    _add(admin, "wrong-sas", _target(azurite.endpoint, "refused", sasToken=wrong_sas))
    signature = wrong_sas.split("sig=")[1]

    with caplog.at_level(logging.DEBUG, logger="openscc"):
        runs = [run_now(admin, "wrong-key"), run_now(admin, "wrong-sas")]

    for run in runs:
        assert run["status"] == "failed", run
        assert f"uploading to azure://{ACCOUNT}/refused/plant-7/" in run["error"]
        assert "403" in run["error"] or "privileges" in run["error"], run["error"]
    alerts = admin.get("/api/monitoring/alerts").json()["alerts"]
    assert any("wrong-key failed" in a["message"] for a in alerts), alerts
    assert any("wrong-sas failed" in a["message"] for a in alerts), alerts
    audit = (instance_of(admin_app).data_dir / "audit.log").read_text()
    openscc_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("openscc"))
    for text in (admin.get(RUNS).text, str(alerts), audit, openscc_log):
        assert WRONG_KEY not in text
        assert signature not in text
        assert wrong_sas not in text
    assert azurite.names("refused") == []


@pytest.mark.slow
def test_a_missing_container_fails_the_run_saying_so(admin: TestClient, azurite: Azurite) -> None:
    _add(admin, "nowhere", _target(azurite.endpoint, "no-such-container", accessKey=KEY))

    run = run_now(admin, "nowhere")

    assert run["status"] == "failed", run
    assert f"the container no-such-container of {ACCOUNT} was not found" in run["error"]
    assert KEY not in run["error"]


@pytest.mark.slow
def test_without_azure_identity_a_schedule_without_a_secret_fails_saying_what_to_install(
    admin: TestClient, azurite: Azurite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """azure-identity is the optional ``azure`` extra: without it, stored keys and tokens still
    work, and a schedule relying on the credential chain fails with what to install."""
    azurite.create_container("extra")
    monkeypatch.setitem(sys.modules, "obstore.auth.azure", None)  # import fails as if absent
    _add(admin, "chain", _target(azurite.endpoint, "extra"))
    _add(admin, "keyed", _target(azurite.endpoint, "extra", accessKey=KEY))

    chain, keyed = run_now(admin, "chain"), run_now(admin, "keyed")

    assert chain["status"] == "failed"
    assert "pip install 'openscc[azure]'" in chain["error"]
    assert keyed["status"] == "succeeded", keyed


@pytest.mark.slow
def test_without_a_stored_secret_the_azure_credential_chain_applies(
    admin: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key nor token in the schedule: DefaultAzureCredential decides, here through the Azure
    CLI's login (an ``az`` that hands out a token) against Azurite over HTTPS with OAuth. Without
    a login the run fails; with one it succeeds with the bearer token.

    AZURE_TOKEN_CREDENTIALS names the chain's credential to use, as an operator may: the rest of
    the chain would probe the instance metadata service, which is no address for a test."""
    pki = MailPki.make()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    for name in ("AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_SAS_KEY", "AZURE_STORAGE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with Azurite(tmp_path / "azurite", pki=pki) as secured:
        secured.create_container("chained")
        monkeypatch.setenv("SSL_CERT_FILE", str(secured.ca_file))  # the emulator's test CA
        monkeypatch.setenv("PATH", str(bin_dir))  # no Azure CLI, until fake_az_cli puts one
        _add(admin, "chained", _target(secured.endpoint, "chained"))
        assert admin.get(f"{SCHEDULES}/chained").json()["target"]["credentials"] == "environment"

        without = run_now(admin, "chained")
        fake_az_cli(bin_dir)
        with_login = run_now(admin, "chained")

        names = secured.names("chained")

    assert without["status"] == "failed", without
    assert "DefaultAzureCredential failed to retrieve a token" in without["error"]
    assert with_login["status"] == "succeeded", with_login
    assert names == [with_login["object"].removeprefix(f"azure://{ACCOUNT}/chained/")]


@pytest.mark.slow
def test_the_fleet_lists_and_reads_a_connectors_archives_in_azure(
    admin: TestClient, azurite: Azurite
) -> None:
    """A schedule of another connector keeps its archives in Azure: the fleet lists them and
    reads one back to send it (here a Cloud Connector's own archive: no preview, and the
    connector, which nothing answers for, is a 502)."""
    azurite.create_container("fleet")
    pem = certs.self_signed(certs.parse_dn("CN=127.0.0.1")).certificate_pem
    source = {"type": "connector", "url": "https://127.0.0.1:9", "user": "Administrator",
              "password": "Source-pa55word", "certificate": pem}  # fmt: skip
    _add(admin, "plant", _target(azurite.endpoint, "fleet", accessKey=KEY), source=source)
    name = archive_name("plant", "127.0.0.1_9", dt.datetime(2030, 1, 2, 3, 0, tzinfo=dt.UTC))
    sap = io.BytesIO()
    with zipfile.ZipFile(sap, "w") as archive:
        archive.writestr("config/scc_config.ini", "[scc]\n")
    azurite.put("fleet", f"plant-7/{name}", sap.getvalue())

    listed = admin.get("/api/openscc/v1/backup/fleet/plant/archives")
    preview = admin.post("/api/openscc/v1/backup/fleet/plant/restore",
                         json={"archive": name, "dryRun": True})  # fmt: skip
    sent = admin.post("/api/openscc/v1/backup/fleet/plant/restore", json={"archive": name})

    assert [a["name"] for a in listed.json()] == [name]
    assert preview.status_code == 200, preview.text
    assert preview.json()["preview"] is False
    assert "Cloud Connector's own archive" in preview.json()["why"]
    assert sent.status_code == 502
    assert "cannot be reached" in sent.json()["message"]

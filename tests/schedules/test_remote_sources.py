"""Schedules that back up another Cloud Connector through the seed's documented API: one
`openscc serve` (the manager) backs up another (the source) on loopback; the archive lands at
the target verified completely, named for the source; a wrong password, an untrusted
certificate and a stopped source each fail naming their cause."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from openscc.schedules import remote
from openscc.schedules.sources import Source, parse_source
from support.connectors import admin_client, source_of
from support.schedules import run_now
from support.server_process import ServerProcess

SCHEDULES = "/api/openscc/v1/backup/schedules"
RUNS = "/api/openscc/v1/backup/runs"
BACKUP_PASSWORD = "Fleet-backup-pa55word"


def _run(manager: ServerProcess, name: str) -> dict[str, Any]:
    with admin_client(manager) as client:
        return run_now(client, name, timeout=120)


def _samples(exposition: str, source: str) -> dict[str, float]:
    """The schedule gauges of ``source`` in a /metrics answer, parsed as Prometheus does."""
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name.startswith("openscc_schedule_") and sample.labels.get("source") == source
    }


@pytest.fixture
def pair(
    tmp_path: Path, server_factory: Callable[..., ServerProcess]
) -> tuple[ServerProcess, ServerProcess]:
    return server_factory(tmp_path / "manager").start(), server_factory(tmp_path / "source").start()


@pytest.mark.slow
def test_a_manager_backs_up_another_connector_verified_and_named_for_it(
    pair: tuple[ServerProcess, ServerProcess], tmp_path: Path
) -> None:
    manager, source = pair
    target = tmp_path / "archives"
    target.mkdir()
    with admin_client(manager) as client:
        made = client.post(SCHEDULES, json={
            "name": "plant-7", "cron": "0 3 * * *", "password": BACKUP_PASSWORD,
            "target": {"type": "directory", "path": str(target)}, "keep": {"last": 3},
            "source": source_of(source)})  # fmt: skip
        assert made.status_code == 201, made.text
        shown = client.get(f"{SCHEDULES}/plant-7").json()

    run = _run(manager, "plant-7")

    assert run["status"] == "succeeded", run
    assert (run["source"], run["verification"]) == (source.url, remote.FULL)
    [archive] = target.iterdir()
    assert archive.name.startswith(f"openscc-plant-7-127.0.0.1_{source.port}-")
    # The archive is the source's own: restoring it there would be a restore of the same instance.
    with admin_client(source) as client, archive.open("rb") as upload:
        preview = client.put("/api/v1/configuration/backup?dryRun=true",
                             files={"backup": ("a.zip", upload)}, data={"password": BACKUP_PASSWORD})  # fmt: skip
    assert preview.status_code == 200, preview.text
    assert preview.json()["backup"]["sameInstance"] is True
    with admin_client(manager) as client:
        scraped = _samples(client.get("/metrics").text, source.url)
    assert scraped["openscc_schedule_last_success_timestamp_seconds"] > 0
    assert scraped["openscc_schedule_last_size_bytes"] == archive.stat().st_size
    assert 0 <= scraped["openscc_schedule_newest_archive_age_seconds"] < 600
    assert "password" not in shown["source"]
    assert source.admin_auth[1] not in str(shown)
    assert len(shown["source"]["certificateSha256"]) == 95


@pytest.mark.slow
@pytest.mark.parametrize("problem", ["wrong password", "untrusted certificate", "stopped"])
def test_each_failure_names_its_cause(
    pair: tuple[ServerProcess, ServerProcess], tmp_path: Path, problem: str
) -> None:
    manager, source = pair
    target = tmp_path / "archives"
    target.mkdir()
    changes: dict[str, Any] = {
        "wrong password": {"password": "not-the-password"},
        "untrusted certificate": {"certificate": manager.certificate_path.read_text()},
        "stopped": {},
    }[problem]
    with admin_client(manager) as client:
        made = client.post(SCHEDULES, json={
            "name": "broken", "cron": "0 3 * * *", "password": BACKUP_PASSWORD,
            "target": {"type": "directory", "path": str(target)},
            "source": source_of(source, **changes)})  # fmt: skip
        assert made.status_code == 201, made.text
    if problem == "stopped":
        source.stop()

    run = _run(manager, "broken")

    expected = {
        "wrong password": "refused the user Administrator (401)",
        "untrusted certificate": "is not trusted (it presents SHA-256 ",
        "stopped": "cannot be reached",
    }[problem]
    assert run["status"] == "failed"
    with admin_client(manager) as client:
        scraped = _samples(client.get("/metrics").text, source.url)
    assert scraped["openscc_schedule_last_failure_timestamp_seconds"] > 0
    assert scraped["openscc_schedule_newest_archive_age_seconds"] == float("inf")
    assert expected in run["error"]
    assert source.url in run["error"]
    assert list(target.iterdir()) == []


def test_an_archive_of_another_make_is_verified_as_a_zip(tmp_path: Path) -> None:
    """SAP's own Cloud Connector answers its own archive format: checked structurally."""
    theirs = tmp_path / "scc.zip"
    with zipfile.ZipFile(theirs, "w") as archive:
        archive.writestr("config/scc_config.ini", "x" * 1000)

    assert remote.verify(theirs, BACKUP_PASSWORD) == remote.STRUCTURAL

    data = bytearray(theirs.read_bytes())
    data[40] ^= 0xFF  # inside the stored member
    theirs.write_bytes(bytes(data))
    with pytest.raises(remote.SourceFailed, match=r"fails its CRC|not send a ZIP"):
        remote.verify(theirs, BACKUP_PASSWORD)


def test_a_source_is_never_unverified() -> None:
    from openscc.errors import InvalidRequest

    given = parse_source({"type": "connector", "url": "https://scc.example:8443", "user": "u",
                          "password": "p"}, "source")  # fmt: skip
    assert given is not None
    with pytest.raises(InvalidRequest, match="never backed up unverified"):
        given.source(None)
    with pytest.raises(InvalidRequest, match="https://host:port"):
        parse_source({"type": "connector", "url": "http://scc.example", "user": "u"}, "source")


def test_a_put_without_source_keeps_it_and_null_removes_it() -> None:
    from openscc.config import certs
    from openscc.errors import InvalidRequest
    from openscc.schedules.model import parse

    pem = certs.self_signed(certs.parse_dn("CN=scc.example")).certificate_pem
    body = {"name": "plant", "cron": "0 3 * * *", "password": BACKUP_PASSWORD,
            "target": {"type": "directory", "path": "/srv/b"}}  # fmt: skip
    made = parse({**body, "source": {"type": "connector", "url": "https://scc.example:8443",
                                     "user": "u", "password": "p", "certificate": pem}},
                 created_at="2026-12-07T00:00:00Z", current=None)  # fmt: skip

    kept = parse({"cron": "0 4 * * *", "target": body["target"]}, created_at="", current=made)
    moved = parse({"cron": "0 4 * * *", "target": body["target"], "source": {
        "type": "connector", "url": "https://scc.example:8443", "user": "u", "certificate": pem}},
        created_at="", current=made)  # fmt: skip
    removed = parse({"cron": "0 4 * * *", "target": body["target"], "source": None},
                    created_at="", current=made)  # fmt: skip
    # A new password without the certificate keeps the pinned one, for the same URL only.
    repassworded = parse({"cron": "0 4 * * *", "target": body["target"], "source": {
        "type": "connector", "url": "https://scc.example:8443", "user": "u", "password": "q"}},
        created_at="", current=made)  # fmt: skip
    with pytest.raises(InvalidRequest, match="never backed up unverified"):
        parse({"cron": "0 4 * * *", "target": body["target"], "source": {
            "type": "connector", "url": "https://other.example:8443", "user": "u", "password": "q"}},
            created_at="", current=made)  # fmt: skip

    assert kept.source == made.source
    assert moved.source is not None
    assert moved.source.password == "p"
    assert removed.source is None
    assert repassworded.source is not None
    assert (repassworded.source.password, repassworded.source.certificate) == ("q", pem)


def test_a_cas_certificate_is_never_pinned() -> None:
    """Pinned, a CA's certificate would let in every certificate it signs, for any host name."""
    from openscc.config import certs
    from openscc.errors import InvalidRequest

    ca = certs.self_signed(certs.parse_dn("CN=Corporate CA"), is_ca=True).certificate_pem
    source = {"type": "connector", "url": "https://scc.example:8443", "user": "u", "password": "p"}

    with pytest.raises(InvalidRequest, match="is a CA's certificate: give it as caCertificate"):
        parse_source({**source, "certificate": ca}, "source")
    assert parse_source({**source, "caCertificate": ca}, "source") is not None


def test_an_untrusted_connector_without_a_port_is_named_not_a_crash() -> None:
    """A URL without a port (443) whose certificate is not trusted: the error says so (the
    port used to be parsed from the host, which raised)."""

    source = Source(url="https://127.0.0.1", user="u", certificate="", ca_certificate="",
                    password="p")  # fmt: skip
    refused = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")

    message = remote.connect_failure(source, refused)

    assert message.startswith("the connector's certificate at https://127.0.0.1 is not trusted")

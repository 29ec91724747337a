"""Round trip of the whole configuration: every kind of entity and every secret comes back exactly."""

from __future__ import annotations

from pathlib import Path

from openscc.config import kinds
from support.in_process import InProcessServer
from support.populate import (
    CONNECTOR,
    LDAP_PASSWORD,
    PKCS12_PASSWORD,
    PROXY_PASSWORD,
    populate_every_kind,
)

# Every kind the product stores must be populated, backed up and restored: a kind added to the
# product without joining populate_every_kind fails the round trip.
EXPECTED_KINDS = kinds.ENTITY_KINDS


def _populated(path: Path) -> InProcessServer:
    connector = InProcessServer(path)
    connector.http.auth = connector.auth
    populate_every_kind(connector.http)
    connector.instance.users.add("viewer", "sccdisplay", "viewer-pw")
    return connector


def test_every_kind_and_every_secret_round_trips_onto_a_fresh_instance(tmp_path: Path) -> None:
    """Restored on another instance, the configuration equals the source's, secrets included."""
    source = _populated(tmp_path / "source")
    expected = source.state()
    archive = source.backup()
    target = InProcessServer(tmp_path / "target", password="Target-admin-pa55")

    response = target.restore(archive)
    target.restart()

    assert response.status_code == 204, response.text
    assert {kind for kind, *_ in expected} == EXPECTED_KINDS
    assert target.state() == expected
    assert len([secret for *_, secret in expected if secret]) >= 8  # every kind of secret is there
    source.close()
    target.close()


def test_the_api_serves_the_same_configuration_after_restore(tmp_path: Path) -> None:
    """Every list the API offers reads the same before the backup and after the restore."""
    source = _populated(tmp_path / "source")
    reads = [
        f"{CONNECTOR}",
        "/api/v1/configuration/subaccounts",
        f"{CONNECTOR}/proxy",
        f"{CONNECTOR}/onPremises/subjectPatternRules",
        f"{CONNECTOR}/onPremise/systemCertificate",
        f"{CONNECTOR}/ui/uiCertificate",
        "/api/v2/configuration/connector/authentication/ldap",
    ]
    subaccounts = source.http.get("/api/v1/configuration/subaccounts").json()
    for entry in subaccounts:
        base = f"/api/v1/configuration/subaccounts/{entry['regionHost']}/{entry['subaccount']}"
        reads += [base, f"{base}/systemMappings", f"{base}/domainMappings", f"{base}/channels"]
    before = {url: source.http.get(url).json() for url in reads}
    archive = source.backup()
    target = InProcessServer(tmp_path / "target", password="Target-admin-pa55")
    target.restore(archive)
    target.restart()
    target.http.auth = source.auth

    after = {url: target.http.get(url).json() for url in reads}

    assert after == before
    source.close()
    target.close()


def test_secrets_used_by_the_populated_configuration_never_appear_in_the_archive(
    tmp_path: Path,
) -> None:
    """Cloud, proxy and PKCS#12 passwords and every stored secret stay encrypted in the archive."""
    import io
    import zipfile

    source = _populated(tmp_path / "source")
    values = {PROXY_PASSWORD, PKCS12_PASSWORD, LDAP_PASSWORD, "Cl0ud-Pa55word!", "backup-pw"}
    for *_, secret in source.state():
        for value in (secret or {}).values():
            text = value if isinstance(value, str) else repr(value)
            values.update(line for line in text.splitlines() if len(line) >= 16)
            if len(text) >= 8 and "\n" not in text:
                values.add(text)

    archive = source.backup("backup-pw")

    zf = zipfile.ZipFile(io.BytesIO(archive))
    blobs = [archive, *(zf.read(name) for name in zf.namelist())]
    leaked = [v for v in values for blob in blobs if v.encode() in blob]
    assert leaked == []
    source.close()

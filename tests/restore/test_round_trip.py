"""Round trip of the whole configuration: every kind of entity and every secret comes back exactly."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from openscc import kinds
from openscc.api.http.catalog import all_endpoints
from openscc.config import resource_ids
from support.in_process import InProcessServer
from support.populate import (
    CONFIG,
    CONNECTOR,
    LDAP_PASSWORD,
    PKCS12_PASSWORD,
    PROXY_PASSWORD,
    populate_every_kind,
)

# Every kind the product stores must be populated, backed up and restored: a kind added to the
# product without joining populate_every_kind fails the round trip.
EXPECTED_KINDS = kinds.ENTITY_KINDS
# GETs that are not the configuration: the backup itself, what is made anew on each call (a
# sample certificate, the registration file naming this instance), what only SAP BTP answers.
NOT_COMPARED = {
    f"{CONFIG}/backup",
    f"{CONNECTOR}/solutionManagement/registrationFile",
    f"{CONNECTOR}/onPremises/subjectPatternRules/{{index}}/sampleCertificate",
    f"{CONNECTOR}/onPremise/subjectPatternRules/{{index}}/sampleCertificate",
    f"{CONFIG}/subaccounts/{{region}}/{{subaccount}}/availableChannels/HANA",
    f"{CONFIG}/subaccounts/{{region}}/{{subaccount}}/availableChannels/VirtualMachine",
}
CHANNEL_TYPES = {"HANA_DB": "HANA", "HCPVM": "VirtualMachine", "RFC": "ABAPCloud"}


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


def test_a_dry_run_reports_every_kind_it_would_change(tmp_path: Path) -> None:
    """Every kind the source holds and the target lacks is reported as added, none left out."""
    source = _populated(tmp_path / "source")
    archive = source.backup()
    target = InProcessServer(tmp_path / "target", password="Target-admin-pa55")
    target.set_description("the target's own")

    report = target.restore(archive, dry_run=True).json()

    changes = report["changes"]
    assert set(changes) == EXPECTED_KINDS
    assert all(c["added"] + c["changed"] + c["removed"] > 0 for c in changes.values()), changes
    source.close()
    target.close()


def _every_read(client: TestClient) -> list[str]:
    """A request path for every GET of the configuration API, its parameters taken from the
    populated configuration: every entity the API can show."""
    sa = client.get(f"{CONFIG}/subaccounts").json()[0]
    values = {
        "region": sa["regionHost"],
        "regionHost": sa["regionHost"],
        "subaccount": sa["subaccount"],
    }
    base = f"{CONFIG}/subaccounts/{sa['regionHost']}/{sa['subaccount']}"
    mapping = client.get(f"{base}/systemMappings").json()[0]
    values["mapping"] = f"{mapping['virtualHost']}:{mapping['virtualPort']}"
    resource = client.get(f"{base}/systemMappings/{values['mapping']}/resources").json()[0]
    values["resource"] = resource_ids.encode_resource_id(resource["id"])
    values["domain"] = client.get(f"{base}/domainMappings").json()[0]["internalDomain"]
    values["alias"] = client.get(f"{CONNECTOR}/onPremises/truststore").json()["trustedBackends"][0][
        "alias"
    ]
    values["index"] = "0"
    paths = []
    for endpoint in all_endpoints().endpoints:
        if endpoint.method != "GET" or endpoint.path in NOT_COMPARED:
            continue
        if endpoint.tag in ("monitoring", "openscc"):
            # The machine's figures, this server's own history and safety backups, the caller's
            # session: not configuration.
            continue
        if endpoint.shadow_only or endpoint.peer_auth:
            continue  # a shadow's, or the pair's: not on this master
        if "{type}" in endpoint.path and "/channels/" in endpoint.path:
            for channel in client.get(f"{base}/channels").json():
                key = channel["typeDesc"]["typeKey"]
                kind = CHANNEL_TYPES.get(key, key)
                paths.append(
                    _fill(endpoint.path, {**values, "type": kind, "id": str(channel["id"])})
                )
            continue
        if endpoint.path.endswith("/ldap/servers/{id}"):
            ldap = client.get("/api/v2/configuration/connector/authentication/ldap").json()
            for server in ldap["orderedLdapConfigurations"]:
                paths.append(_fill(endpoint.path, {**values, "id": str(server["id"])}))
            continue
        if endpoint.path.endswith("/email/truststore/certificates/{alias}"):
            mail = client.get(f"{CONNECTOR}/email/truststore").json()
            for entry in mail["trustedEmailCertificates"]:
                paths.append(_fill(endpoint.path, {**values, "alias": entry["alias"]}))
            continue
        if "{id}" in endpoint.path and "/trust/" in endpoint.path:
            kind = endpoint.path.split("/trust/")[1].split("/")[0]
            for entry in client.get(f"{base}/trust/{kind}").json():
                paths.append(_fill(endpoint.path, {**values, "id": str(entry["id"])}))
            continue
        paths.append(_fill(endpoint.path, values))
    return sorted(set(paths))


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], template)


def test_the_api_serves_the_same_configuration_after_restore(tmp_path: Path) -> None:
    """Every GET the API offers (but the few that are not configuration) reads the same before the
    backup and after the restore."""
    source = _populated(tmp_path / "source")
    reads = _every_read(source.http)
    before = {url: _read(source.http, url) for url in reads}
    archive = source.backup()
    target = InProcessServer(tmp_path / "target", password="Target-admin-pa55")
    target.restore(archive)
    target.restart()
    target.http.auth = source.auth

    after = {url: _read(target.http, url) for url in reads}

    assert len(reads) > 55
    assert [url for url in reads if before[url] != after[url]] == []
    assert all(status == 200 for status, _ in before.values()), {
        url: read for url, read in before.items() if read[0] != 200
    }
    source.close()
    target.close()


def _read(client: TestClient, url: str) -> tuple[int, object]:
    response = client.get(url)
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code, response.content
    value = response.json()
    if url.endswith("/connector/auditLog"):
        value.pop("logPath")  # the installation's own folder, not configuration
    return response.status_code, value


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

"""``populate_every_kind``: one or more entities of every kind the configuration API creates.

Used by the backup round-trip test: it fills an instance through the API (deterministically, and
exercising every secret), backs it up, restores it and compares. Needs an authenticated client on
an instance whose Administrator password is changed and whose HA role is master.
"""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

from openscc.config import certs, key_pairs
from openscc.ha import settings as ha_settings
from support.cloud import APP, ReachableCloud, install, services_of

CONFIG = "/api/v1/configuration"
CONNECTOR = f"{CONFIG}/connector"
REGION = "cf.eu10.hana.ondemand.com"
SUBACCOUNTS = (
    (
        "0a0b0c0d-0000-4000-8000-000000000001",
        {"cloudUser": "cloud-admin@example.com", "cloudPassword": "Cl0ud-Pa55word!"},
    ),
    ("0a0b0c0d-0000-4000-8000-000000000002", None),  # added with authentication data
)
PROXY_PASSWORD = "Pr0xy-Pa55word!"
PKCS12_PASSWORD = "P12-Pa55word!"
VM_ENDPOINT = "3f2b1c4d-0000-4000-8000-00000000a001"
LDAP_PASSWORD = "Ld4p-Pa55word!"
SMTP_PASSWORD = "Smtp-Pa55word-for-alerts!"


def _ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response


def _pkcs12(common_name: str) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return key_pairs.to_pkcs12(certs.self_signed(subject), PKCS12_PASSWORD)


def _subaccounts(client: TestClient) -> list[str]:
    paths = []
    for subaccount, credentials in SUBACCOUNTS:
        body: dict[str, Any] = {
            "displayName": f"Display {subaccount[-1]}",
            "description": "populated",
            "locationID": f"loc{subaccount[-1]}",
            "autoCertRenewal": True,
        }
        if credentials is None:
            data = json.dumps(
                {"regionHost": REGION, "subaccount": subaccount, "user": "auth@example.com"}
            )
            body["authenticationData"] = base64.b64encode(data.encode()).decode()
        else:
            body.update({"regionHost": REGION, "subaccount": subaccount, **credentials})
        _ok(client.post(f"{CONFIG}/subaccounts", json=body))
        paths.append(f"{CONFIG}/subaccounts/{REGION}/{subaccount}")
    _ok(client.put(f"{paths[0]}/trust", json={"autoSyncTrustEnabled": True}))
    _ok(client.put(f"{paths[1]}/state", json={"connected": False}))
    return paths


def _through_sap_btp(client: TestClient, sa: str) -> None:
    """What only a tunnel brings: trust lists (one entry distrusted) and an open channel. The
    tunnel is closed afterwards and openscc's own connection to SAP BTP put back."""
    offline = install(client, ReachableCloud())
    try:
        _ok(client.put(f"{sa}/state", json={"connected": True}))
        _ok(client.post(f"{sa}/trust"))
        _ok(client.put(f"{sa}/trust/apps/{APP['id']}", json={"enabled": False}))
        k8s = client.get(f"{sa}/channels/K8S").json()[0]["id"]
        _ok(client.put(f"{sa}/channels/K8S/{k8s}/state", json={"enabled": True}))
    finally:
        install(client, offline)
    _ok(client.put(f"{sa}/state", json={"connected": False}))


def _mappings(client: TestClient, sa: str) -> None:
    _ok(
        client.post(
            f"{sa}/systemMappings",
            json={
                "virtualHost": "erp.virtual",
                "virtualPort": "44300",
                "localHost": "erp.internal",
                "localPort": 44300,
                "protocol": "HTTPS",
                "backendType": "abapSys",
                "authenticationMode": "X509_GENERAL",
                "hostInHeader": "internal",
                "sid": "ERP",
                "description": "ERP over HTTPS",
                "allowedClients": ["100"],
                "blacklistedUsers": [{"client": "100", "user": "DDIC"}],
            },
        )
    )
    _ok(
        client.post(
            f"{sa}/systemMappings",
            json={
                "virtualHost": "rfc.virtual",
                "virtualPort": "3300",
                "localHost": "rfc.internal",
                "localPort": "3300",
                "protocol": "RFCS",
                "backendType": "abapSys",
                "authenticationMode": "NONE",
                "sncPartnerName": "p:CN=ERP",
                "sapRouter": "/H/router/S/3299",
            },
        )
    )
    mapping = f"{sa}/systemMappings/erp.virtual:44300"
    for resource_id, enabled in (("/sap/opu/odata", "true"), ("/sap/bc/a-b+c", "false")):
        _ok(
            client.post(
                f"{mapping}/resources",
                json={
                    "id": resource_id,
                    "enabled": enabled,
                    "exactMatchOnly": "false",
                    "websocketUpgradeAllowed": "true",
                    "description": f"resource {resource_id}",
                },
            )
        )
    _ok(client.patch(f"{mapping}/allowedClients", json=["200"]))
    _ok(client.patch(f"{mapping}/blockedClientUsers", json=[{"client": "200", "user": "SAP*"}]))
    _ok(
        client.post(
            f"{sa}/domainMappings",
            json={"virtualDomain": "virtual.corp", "internalDomain": "internal.corp"},
        )
    )


def _channels(client: TestClient, sa: str) -> None:
    for kind, body in (
        ("K8S", {"k8sCluster": "cluster.example", "k8sService": "svc-1", "port": "3000"}),
        ("ABAPCloud", {"abapCloudTenantHost": "tenant.abap.example", "instanceNumber": "50"}),
        ("ABAPCloudSNC", {"abapCloudTenantHost": "tenant.abap.example", "instanceNumber": 20}),
        ("HANA", {"hanaInstanceName": "hana-1", "instanceNumber": 1}),
        ("VirtualMachine", {"name": "vm-1", "endpointId": VM_ENDPOINT, "port": 2222}),
    ):
        _ok(
            client.post(f"{sa}/channels/{kind}", json={**body, "connections": "2", "comment": kind})
        )


def _connector(client: TestClient) -> None:
    _ok(
        client.put(
            f"{CONNECTOR}/proxy",
            json={
                "host": "proxy.corp",
                "port": 8080,
                "user": "proxy-user",
                "password": PROXY_PASSWORD,
            },
        )
    )
    _ok(
        client.post(
            f"{CONNECTOR}/onPremises/subjectPatternRules",
            json={
                "condition": {"variable": "name", "operator": "is", "value": "admin"},
                "description": "admins",
                "subjectPattern": {"CN": "${name}", "O": "Example", "C": "DE"},
            },
        )
    )
    _ok(
        client.post(
            f"{CONNECTOR}/onPremise/systemCertificate",
            json={"type": "selfsigned", "subjectDN": "CN=system,O=Example,C=DE", "keySize": 2048},
        )
    )
    _ok(
        client.put(
            f"{CONNECTOR}/onPremise/ppCaCertificate",
            files={
                "pkcs12": ("ca.p12", _pkcs12("pp ca"), "application/x-pkcs12"),
                "password": (None, PKCS12_PASSWORD),
            },
        )
    )
    _ok(
        client.put(
            f"{CONNECTOR}/ui/uiCertificate",
            files={
                "pkcs12": ("ui.p12", _pkcs12("ui.example"), "application/x-pkcs12"),
                "password": (None, PKCS12_PASSWORD),
            },
        )
    )
    # A pending certificate signing request keeps its new private key as a secret too.
    _ok(
        client.post(
            f"{CONNECTOR}/onPremise/systemCertificate",
            json={"type": "csr", "subjectDN": "CN=next system,O=Example,C=DE"},
        )
    )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "backend CA")])
    pem = certs.self_signed(subject, is_ca=True).certificate_pem
    _ok(
        client.post(
            f"{CONNECTOR}/onPremise/truststore/certificates",
            files={"certificate": ("ca.pem", pem, "application/x-pem-file")},
        )
    )
    _ok(client.patch(f"{CONNECTOR}/onPremise/truststore", json={"trustAllBackends": False}))


def _settings(client: TestClient, sa: str) -> None:
    """The connector-wide settings, and a subaccount's trace and audit settings."""
    available = _ok(client.get(f"{CONFIG}/availableCipherSuites")).json()
    tls13 = [name for name in available if "_WITH_" not in name]
    tls12 = [name for name in available if "_WITH_" in name][:2]
    _ok(client.post(f"{CONNECTOR}/ui/cipherSuites", json=tls12 + tls13))
    # Levels stay INFO: they change the test process's loggers.
    _ok(
        client.patch(
            f"{CONNECTOR}/logAndTrace",
            json={
                "tlsTrace": True,
                "cpicTraceLevel": 2,
                "cleanup": 30,
                "rolloverThreshold": "75MB",
            },
        )
    )
    trace = sa.replace(f"{CONFIG}/subaccounts/", f"{CONNECTOR}/logAndTrace/subaccounts/")
    _ok(client.patch(trace, json={"trafficTrace": True}))
    _ok(client.patch(f"{CONNECTOR}/auditLog", json={"cleanup": 90}))
    audit = sa.replace(f"{CONFIG}/subaccounts/", f"{CONNECTOR}/auditLog/subaccounts/")
    _ok(client.patch(audit, json={"level": "ALL"}))
    _ok(
        client.put(
            f"{CONNECTOR}/onPremises/ppSettings",
            json={"expirationToleranceInHr": 2, "certificateValidityInMin": 120},
        )
    )
    # Any existing executable stands in for the SAP Host Agent.
    _ok(
        client.post(
            f"{CONNECTOR}/solutionManagement",
            json={"hostAgentPath": sys.executable, "dsrEnabled": True},
        )
    )


def _ldap(client: TestClient) -> None:
    """Two LDAP servers, stored as a draft (LDAP authentication off, so no server is asked): on
    loopback ports where nothing listens, so that no test that enables it reaches anything."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "directory CA")])
    ca = certs.self_signed(subject, is_ca=True).certificate_pem
    rules = (
        'roleBase="ou=groups,dc=scc" roleName="cn" roleSearch="(uniqueMember={0})" '
        'userBase="ou=users,dc=scc" userSearch="(uid={0})" useStartTls="true"'
    )
    servers = [
        {
            "config": rules,
            "hosts": [
                {"host": "127.0.0.1", "port": "1", "isSecure": False},
                {"host": "localhost", "port": 1, "isSecure": "false"},
            ],
            "user": "cn=connector,dc=scc",
            "password": LDAP_PASSWORD,
            "customAdminRole": "connector-admins",
            "customDisplayRole": "connector-viewers",
            "caCertificate": ca,
        },
        {
            "config": 'userPattern="uid={0},ou=people,dc=scc" userRoleName="memberOf"',
            "hosts": [{"host": "127.0.0.1", "port": "2", "isSecure": True}],
        },
    ]
    _ok(
        client.put(
            "/api/v2/configuration/connector/authentication/ldap",
            json={"enabled": False, "orderedLdapConfigurations": servers},
        )
    )


def _alerting(client: TestClient) -> None:
    _ok(
        client.put(
            f"{CONNECTOR}/alerting",
            json={
                "thresholds": {"certificateValidityDays": 45, "cpuLoad": 80},
                "notification": {"troubleshooting": False},
            },
        )
    )
    # Sending stays off, so no test that populates an instance ever reaches for a mail server.
    _ok(
        client.put(
            f"{CONNECTOR}/email",
            json={
                "enabled": False,
                "trustOption": "emailTrustStore",
                "sendTo": "ops@example.com, Jane Doe <jane.doe@example.com>",
                "sendFrom": "openscc@example.com",
                "smtpHost": "mail.example.com",
                "smtpPort": 587,
                "smtpUsername": "openscc",
                "smtpPassword": SMTP_PASSWORD,
                "additionalProperties": {"mail.smtp.localhost": "openscc.example.com"},
            },
        )
    )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail CA")])
    pem = certs.self_signed(subject, is_ca=True).certificate_pem
    _ok(
        client.post(
            f"{CONNECTOR}/email/truststore/certificates",
            files={"certificates": ("mail-ca.pem", pem, "application/x-pem-file")},
        )
    )


def _high_availability(client: TestClient) -> None:
    """The master's HA settings through the API; the shadow settings, which only a shadow's API
    changes, as a master keeps them from an earlier role (after a role switch)."""
    _ok(
        client.put(
            f"{CONNECTOR}/ha/master/config",
            json={"haEnabled": True, "allowedShadowHost": "shadow.example", "haPort": 8444},
        )
    )
    store = services_of(client).instance.store
    with store.transaction():
        ha_settings.save_shadow(
            store,
            ha_settings.parse_shadow(
                {"masterHost": "master.example", "masterPort": 8443, "checkIntervalInSeconds": 10},
                ha_settings.shadow_settings(store),
                8443,
            ),
        )


def populate_every_kind(client: TestClient) -> None:
    """Create at least one entity of every kind the configuration API stores, with every secret."""
    first, second = _subaccounts(client)
    _mappings(client, first)
    _channels(client, first)
    _through_sap_btp(client, first)
    _ok(
        client.post(
            f"{second}/domainMappings",
            json={"virtualDomain": "v2.corp", "internalDomain": "i2.corp"},
        )
    )
    _connector(client)
    _settings(client, first)
    _ldap(client)
    _alerting(client)
    _high_availability(client)
    _backup_schedule(client)


def _backup_schedule(client: TestClient) -> None:
    """Schedules to S3 and Azure with stored credentials: their passwords and keys are their
    secrets."""
    _ok(
        client.post(
            "/api/openscc/v1/backup/schedules",
            json={
                "name": "nightly",
                "cron": "0 2 * * *",
                "target": {
                    "type": "s3",
                    "bucket": "scc-backups",
                    "prefix": "plant-7",
                    "endpoint": "https://s3.example.com",
                    "region": "eu-central-1",
                    "accessKeyId": "AKIAEXAMPLE",
                    "secretAccessKey": "schedule-secret-key",
                },
                "password": "Schedule-backup-pa55word",
                "keep": {"last": 7, "weekly": 4},
            },
        )
    )
    # Two to Azure Blob Storage: an account key and a SAS token are secrets too.
    for name, secret in (
        ("offsite-key", {"accessKey": "QXp1cmUtYWNjb3VudC1rZXktb2YtdGhlLXBvcHVsYXRlZC1jb25maWc="}),
        ("offsite-sas", {"sasToken": "sv=2025-01-05&sr=c&sp=racwdl&sig=c2NoZWR1bGUtc2Fz"}),
    ):
        _ok(
            client.post(
                "/api/openscc/v1/backup/schedules",
                json={"name": name, "cron": "45 2 * * *",
                      "target": {"type": "azure", "account": "sccbackups", "container": "plant-7",
                                 "prefix": name, **secret},
                      "password": "Schedule-backup-pa55word", "keep": {"daily": 14}},
            )
        )  # fmt: skip
    # One of another connector: the source's password is a secret too.
    source_pem = certs.self_signed(certs.parse_dn("CN=scc-plant-9.example")).certificate_pem
    _ok(
        client.post(
            "/api/openscc/v1/backup/schedules",
            json={
                "name": "plant-9",
                "cron": "15 2 * * *",
                "target": {"type": "directory", "path": "/srv/scc-backups"},
                "password": "Schedule-backup-pa55word",
                "source": {"type": "connector", "url": "https://scc-plant-9.example:8443",
                           "user": "Administrator", "password": "Source-pa55word",
                           "certificate": source_pem},
            },
        )
    )  # fmt: skip

"""Names people know things by, for a restore's preview and ``backup diff``: a kind's title
("System mappings") and an entity's display name (a subaccount's display name, a mapping's
``virtualHost:port``, a resource's path) instead of internal keys. Pure."""

from __future__ import annotations

import json
from typing import Any

from openscc import kinds
from openscc.kinds import KEY_SEPARATOR

# Values in a field change are cut to this many characters (the preview is for people).
MAX_VALUE_CHARS = 120

KIND_TITLES = {
    kinds.CONNECTOR: "Connector",
    kinds.USER: "Local users",
    kinds.UI_CERTIFICATE: "UI certificate",
    kinds.SUBACCOUNT: "Subaccounts",
    kinds.SUBACCOUNT_TRUST: "Subaccount trust",
    kinds.SUBACCOUNT_TRACE: "Subaccount trace levels",
    kinds.SUBACCOUNT_AUDIT_LOG: "Subaccount audit levels",
    kinds.SYSTEM_MAPPING: "System mappings",
    kinds.RESOURCE: "Resources",
    kinds.DOMAIN_MAPPING: "Domain mappings",
    kinds.CHANNEL: "Service channels",
    kinds.SYSTEM_CERTIFICATE: "System certificate",
    kinds.PP_CA_CERTIFICATE: "Principal propagation CA",
    kinds.PENDING_CSR: "Pending certificate requests",
    kinds.TRUSTSTORE: "Trust store settings",
    kinds.TRUSTED_BACKEND: "Trusted back-end certificates",
    kinds.SUBJECT_PATTERN_RULES: "Subject pattern rules",
    kinds.PROXY: "Proxy",
    kinds.UI_CIPHER_SUITES: "UI cipher suites",
    kinds.LOG_AND_TRACE: "Log and trace",
    kinds.AUDIT_LOG: "Audit log",
    kinds.PP_SETTINGS: "Principal propagation",
    kinds.SOLUTION_MANAGEMENT: "Solution management",
    kinds.ALERTING: "Alerting",
    kinds.EMAIL: "E-mail",
    kinds.TRUSTED_EMAIL_SERVER: "Trusted e-mail certificates",
    kinds.LDAP_SETTINGS: "LDAP",
    kinds.LDAP_SERVER: "LDAP servers",
    kinds.HA_MASTER_CONFIG: "High availability (master)",
    kinds.HA_SHADOW_CONFIG: "High availability (shadow)",
    kinds.BACKUP_SCHEDULE: "Backup schedules",
    kinds.SEQUENCE: "Counters",
}


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind)


def _certificate(pem: str) -> str:
    # Imported here: ``openscc backup inspect`` renders with this module and must start without
    # the cryptography it never uses (docs/cli.md, "Start time").
    from cryptography import x509

    from openscc.config import certs

    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return "a certificate that cannot be read"
    return f"certificate {certs.dn_text(cert.subject)} (SHA-256 {certs.fingerprint(cert)})"


def _subaccount(body: dict[str, Any]) -> str:
    account = f"{body.get('subaccount', '')} ({body.get('regionHost', '')})"
    display = body.get("displayName")
    return f"{display}: {account}" if display else account


def entity_label(kind: str, key: str, body: dict[str, Any]) -> str:
    """The name a person knows the entity by; its key, readable, when it has no better one."""
    if kind == kinds.SUBACCOUNT:
        return _subaccount(body)
    if kind == kinds.SYSTEM_MAPPING and "virtualHost" in body:
        return f"{body['virtualHost']}:{body.get('virtualPort', '')}"
    if kind == kinds.RESOURCE and "id" in body:
        return str(body["id"])
    if kind == kinds.DOMAIN_MAPPING and "virtualDomain" in body:
        return f"{body['virtualDomain']} → {body.get('internalDomain', '')}"
    if kind == kinds.CHANNEL and "type" in body:
        return f"{body['type']} channel, port {body.get('port', '')}"
    if key == kinds.SINGLETON_KEY:
        return kind_title(kind)
    return key.replace(KEY_SEPARATOR, " / ")


_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


def shown_value(value: Any) -> str:
    """A field's value as the preview shows it: text as it is, anything else as JSON; cut. A
    certificate is shown by its fingerprint, which is what a person compares."""
    if isinstance(value, str) and value.lstrip().startswith(_PEM_CERTIFICATE):
        return _certificate(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"

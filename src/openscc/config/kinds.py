"""Entity kinds and keys of the configuration API, in one place.

Keys are hierarchical (``join_key``) so that deleting a subaccount's key subtree removes its system
mappings, resources, domain mappings and channels with it.
"""

from __future__ import annotations

from openscc.auth.ldap import LDAP_SERVER_KIND, LDAP_SETTINGS_KIND
from openscc.auth.users import USER_KIND
from openscc.connector_state import CONNECTOR_KEY, CONNECTOR_KIND, UI_CERTIFICATE_KIND
from openscc.store.entities import join_key

SUBACCOUNT = "subaccount"
SYSTEM_MAPPING = "systemMapping"
RESOURCE = "systemMappingResource"
DOMAIN_MAPPING = "domainMapping"
CHANNEL = "serviceChannel"
SEQUENCE = "sequence"
PROXY = "proxy"
SUBJECT_PATTERN_RULES = "subjectPatternRules"
SYSTEM_CERTIFICATE = "systemCertificate"
PP_CA_CERTIFICATE = "ppCaCertificate"
UI_CERTIFICATE = UI_CERTIFICATE_KIND
PENDING_CSR = "certificateSigningRequest"
TRUSTSTORE = "truststore"
TRUSTED_BACKEND = "trustedBackend"
SUBACCOUNT_TRUST = "subaccountTrust"
HA_MASTER_CONFIG = "haMasterConfig"
HA_SHADOW_CONFIG = "haShadowConfig"
UI_CIPHER_SUITES = "uiCipherSuites"
LOG_AND_TRACE = "logAndTrace"
SUBACCOUNT_TRACE = "subaccountTrace"  # under a subaccount
AUDIT_LOG = "auditLog"
SUBACCOUNT_AUDIT_LOG = "subaccountAuditLog"  # under a subaccount
PP_SETTINGS = "ppSettings"
SOLUTION_MANAGEMENT = "solutionManagement"
LDAP_SETTINGS = LDAP_SETTINGS_KIND
LDAP_SERVER = LDAP_SERVER_KIND
ALERTING = "alerting"
EMAIL = "email"
TRUSTED_EMAIL_SERVER = "trustedEmailServer"
BACKUP_SCHEDULE = "backupSchedule"  # openscc's own (schedules.model.KIND)

# Every kind of entity the product stores. A backup carries all of them; a restore refuses any other
# (an archive of the same format version cannot hold a kind this version does not know).
ENTITY_KINDS = frozenset(
    {
        CONNECTOR_KIND,
        USER_KIND,
        SUBACCOUNT,
        SYSTEM_MAPPING,
        RESOURCE,
        DOMAIN_MAPPING,
        CHANNEL,
        SEQUENCE,
        PROXY,
        SUBJECT_PATTERN_RULES,
        SYSTEM_CERTIFICATE,
        PP_CA_CERTIFICATE,
        UI_CERTIFICATE,
        PENDING_CSR,
        TRUSTSTORE,
        TRUSTED_BACKEND,
        SUBACCOUNT_TRUST,
        HA_MASTER_CONFIG,
        HA_SHADOW_CONFIG,
        UI_CIPHER_SUITES,
        LOG_AND_TRACE,
        SUBACCOUNT_TRACE,
        AUDIT_LOG,
        SUBACCOUNT_AUDIT_LOG,
        PP_SETTINGS,
        SOLUTION_MANAGEMENT,
        LDAP_SETTINGS,
        LDAP_SERVER,
        BACKUP_SCHEDULE,
        ALERTING,
        EMAIL,
        TRUSTED_EMAIL_SERVER,
    }
)

SINGLETON_KEY = CONNECTOR_KEY  # key of connector-wide singletons (proxy, certificates, ...)


def subaccount_key(region_host: str, subaccount: str) -> str:
    return join_key(SUBACCOUNT, region_host, subaccount)


def mapping_key(sa_key: str, virtual_host: str, virtual_port: str) -> str:
    return join_key(sa_key, SYSTEM_MAPPING, f"{virtual_host}:{virtual_port}")


def resource_key(mapping: str, resource_id: str) -> str:
    return join_key(mapping, RESOURCE, resource_id)


def domain_mapping_key(sa_key: str, number: int) -> str:
    return join_key(sa_key, DOMAIN_MAPPING, str(number))


def channel_key(sa_key: str, channel_id: int) -> str:
    return join_key(sa_key, CHANNEL, str(channel_id))

"""Every endpoint of the API, gathered from the modules that define them."""

from __future__ import annotations

from openscc.api import (
    access_control,
    alerting,
    audit_settings,
    authentication,
    backup,
    backup_schedules,
    certificates_api,
    channels,
    cipher_suites,
    connector,
    domain_mappings,
    email,
    email_truststore,
    ha_internal,
    high_availability,
    local_users,
    log_and_trace,
    mapping_resources,
    monitoring,
    openscc_session,
    pp_settings,
    proxy,
    safety_backups,
    solution_management,
    subaccount_trust,
    subaccounts,
    subject_patterns,
    system_mappings,
    truststore,
)
from openscc.api.endpoints import EndpointTable

_MODULES = (
    connector,
    backup,
    subaccounts,
    subaccount_trust,
    system_mappings,
    mapping_resources,
    access_control,
    domain_mappings,
    channels,
    proxy,
    subject_patterns,
    certificates_api,
    truststore,
    cipher_suites,
    log_and_trace,
    audit_settings,
    pp_settings,
    solution_management,
    authentication,
    alerting,
    email,
    email_truststore,
    monitoring,
    high_availability,
    ha_internal,
    openscc_session,
    safety_backups,
    local_users,
    backup_schedules,
)


def all_endpoints() -> EndpointTable:
    table = EndpointTable()
    for module in _MODULES:
        table.extend(module.endpoints)
    return table

"""Every endpoint of the API, gathered from the modules that define them."""

from __future__ import annotations

from openscc.api.http.endpoints import EndpointTable
from openscc.api.routes.alerting import alerting, email, email_truststore
from openscc.api.routes.backup import configuration_backup as backup
from openscc.api.routes.backup import configuration_restore as restore
from openscc.api.routes.backup import fleet as backup_fleet
from openscc.api.routes.backup import partial_restore, safety_backups
from openscc.api.routes.backup import schedules as backup_schedules
from openscc.api.routes.configuration import (
    access_control,
    audit_settings,
    channels,
    cipher_suites,
    connector,
    domain_mappings,
    log_and_trace,
    mapping_resources,
    pp_settings,
    proxy,
    solution_management,
    subaccount_trust,
    subaccounts,
    subject_patterns,
    system_mappings,
    truststore,
)
from openscc.api.routes.configuration import certificates as certificates_api
from openscc.api.routes.high_availability import peer as ha_internal
from openscc.api.routes.high_availability import settings as high_availability
from openscc.api.routes.monitoring import monitoring
from openscc.api.routes.monitoring import prometheus as monitoring_metrics
from openscc.api.routes.users import ldap as authentication
from openscc.api.routes.users import ldap_changes as authentication_changes
from openscc.api.routes.users import ldap_test as authentication_test
from openscc.api.routes.users import local_users
from openscc.api.routes.users import session as openscc_session

_MODULES = (
    connector,
    backup,
    restore,
    partial_restore,
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
    authentication_changes,
    authentication_test,
    alerting,
    email,
    email_truststore,
    monitoring,
    monitoring_metrics,
    high_availability,
    ha_internal,
    openscc_session,
    safety_backups,
    local_users,
    backup_schedules,
    backup_fleet,
)


def all_endpoints() -> EndpointTable:
    table = EndpointTable()
    for module in _MODULES:
        table.extend(module.endpoints)
    return table

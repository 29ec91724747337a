"""Every endpoint of the API, gathered from the modules that define them."""

from __future__ import annotations

from openscc.api import (
    access_control,
    alerting,
    backup,
    certificates_api,
    channels,
    connector,
    domain_mappings,
    email,
    email_truststore,
    mapping_resources,
    proxy,
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
    system_mappings,
    mapping_resources,
    access_control,
    domain_mappings,
    channels,
    proxy,
    subject_patterns,
    certificates_api,
    truststore,
    alerting,
    email,
    email_truststore,
)


def all_endpoints() -> EndpointTable:
    table = EndpointTable()
    for module in _MODULES:
        table.extend(module.endpoints)
    return table

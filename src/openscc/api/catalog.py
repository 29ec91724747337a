"""Every endpoint of the API, gathered from the modules that define them."""

from __future__ import annotations

from openscc.api import backup, connector
from openscc.api.endpoints import EndpointTable


def all_endpoints() -> EndpointTable:
    table = EndpointTable()
    for module in (connector, backup,):
        table.extend(module.endpoints)
    return table

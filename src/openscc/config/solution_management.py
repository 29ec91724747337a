"""Solution management settings and the LMDB registration file built from the configuration.

The product reports to SAP Solution Manager through the SAP Host Agent, which it runs. openscc
checks that the host agent executable exists but never runs it: the path comes from an API call,
and running a client-named program is not something an administration API should do. So the
settings are stored and answered, and nothing is reported (see docs/compatibility.md).

The registration file is a zip archive holding one XML document that describes this connector as
a technical system for the Landscape Management Database: product and version, host and port,
instance, HA role, description, the solution management settings and the subaccounts. Its layout
is openscc's own; SAP does not publish the product's.
"""

from __future__ import annotations

import io
import os
import socket
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openscc import SCC_API_VERSION, __version__, kinds
from openscc.config.connector_state import connector_body
from openscc.config.setting_entities import ConnectorSetting
from openscc.config.values import Fields, Flag, String
from openscc.errors import InvalidConfiguration
from openscc.store.entities import EntityStore

KIND = kinds.SOLUTION_MANAGEMENT
# Where the SAP Host Agent installs its control program on Linux.
DEFAULT_HOST_AGENT = "/usr/sap/hostctrl/exe/saphostctrl"
DEFAULTS: dict[str, Any] = {
    "hostAgentPath": DEFAULT_HOST_AGENT,
    "isEnabled": False,
    "dsrEnabled": False,
}
REGISTRATION_MEMBER = "scc_lmdb_registration.xml"


SETTING = ConnectorSetting(KIND, DEFAULTS)
settings = SETTING.read
save = SETTING.write


FIELDS = Fields(
    String(name="hostAgentPath", max_length=1024, description="absolute; absent: the one stored"),
    Flag(name="dsrEnabled"),
)


def activated(body: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The settings after an activation: reporting on, with the given path and DSR flag (others
    keep their values); INVALID_CONFIGURATION if the host agent executable is not there."""
    given = FIELDS.given(data)
    path = given["hostAgentPath"].strip() if "hostAgentPath" in given else body["hostAgentPath"]
    check_host_agent(path)
    return {
        "hostAgentPath": path,
        "isEnabled": True,
        "dsrEnabled": given.get("dsrEnabled", body["dsrEnabled"]),
    }


def deactivated(body: dict[str, Any], _data: dict[str, Any]) -> dict[str, Any]:
    return {**body, "isEnabled": False}


def check_host_agent(path: str) -> None:
    candidate = Path(path)
    if not path or not candidate.is_absolute():
        raise InvalidConfiguration("the host agent path must be an absolute path")
    if not candidate.is_file():
        raise InvalidConfiguration(
            f"the host agent executable {path} is not a file or does not exist"
        )
    if not os.access(candidate, os.X_OK):
        raise InvalidConfiguration(f"the host agent executable {path} cannot be executed")


@dataclass(frozen=True, kw_only=True, slots=True)
class Installation:
    """What the registration says about where this connector runs."""

    host: str
    port: int
    instance_id: str


def registration_xml(store: EntityStore, where: Installation) -> bytes:
    root = ElementTree.Element(
        "TechnicalSystem",
        {"type": "SAP_CloudConnector", "generated": str(int(time.time() * 1000))},
    )
    ElementTree.SubElement(
        root,
        "Product",
        {
            "name": "SAP Cloud Connector",
            "version": SCC_API_VERSION,
            "implementation": f"openscc {__version__}",
        },
    )
    connector = connector_body(store)
    ElementTree.SubElement(
        root,
        "Installation",
        {
            "id": where.instance_id,
            "host": where.host,
            "port": str(where.port),
            "haRole": str(connector.get("haRole") or ""),
            "description": str(connector.get("description", "")),
        },
    )
    body = settings(store)
    ElementTree.SubElement(
        root,
        "SolutionManagement",
        {
            "enabled": str(bool(body["isEnabled"])).lower(),
            "dsrEnabled": str(bool(body["dsrEnabled"])).lower(),
            "hostAgentPath": body["hostAgentPath"],
        },
    )
    subaccounts = ElementTree.SubElement(root, "Subaccounts")
    for record in store.children(kinds.SUBACCOUNT, None):
        sa = record.body
        ElementTree.SubElement(
            subaccounts,
            "Subaccount",
            {
                "regionHost": sa["regionHost"],
                "subaccount": sa["subaccount"],
                "locationID": sa.get("locationID", ""),
                "displayName": sa.get("displayName") or sa["subaccount"],
            },
        )
    ElementTree.indent(root)
    text: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def registration_zip(store: EntityStore, where: Installation) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(REGISTRATION_MEMBER, registration_xml(store, where))
    return out.getvalue()


def this_host() -> str:
    """The host name the registration names (the listener may be bound to a loopback address).
    The local name only: a DNS lookup could take long, and the store thread must not wait."""
    return socket.gethostname()

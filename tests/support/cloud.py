"""``ReachableCloud``: a CloudConnection whose SAP BTP answers, for what the API does with a tunnel.

openscc ships no tunnel (``openscc.cloud.OfflineCloud``); these tests install this one as the
app's ``services.cloud`` to check what the API stores and answers when SAP BTP does answer.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from openscc.cloud import CONNECTED, ChannelState, TrustLists, TunnelOutcome

CONNECTED_SINCE = 1_700_000_000_000

IDP = {
    "id": 1,
    "name": "accounts.sap.com",
    "description": "SAP ID service",
    "certificate": {
        "issuer": "CN=SAP Cloud Root CA",
        "subjectDN": "CN=accounts.sap.com",
        "notBeforeTimeStamp": 1_600_000_000_000,
        "notAfterTimeStamp": 1_900_000_000_000,
    },
}
APP = {"id": 7, "name": "orders", "applicationType": "JAVA"}
AVAILABLE = {
    "HANA": [{"hanaInstanceName": "hana-1", "version": "2.00.070", "type": "HANA_CLOUD"}],
    "VirtualMachine": [{"endpointId": "3f2b1c4d-0000-4000-8000-00000000a001", "name": "vm-1"}],
}


def services_of(client: Any) -> Any:
    """The services of the app a test client talks to (an app, or an InProcessServer's)."""
    app = client.app
    if not isinstance(app, Starlette):
        app = app.app  # an InProcessServer: the app it serves now
    return app.state.services


def install(client: Any, cloud: Any) -> Any:
    """Install ``cloud`` as the app's connection to SAP BTP; returns the one it replaces."""
    services = services_of(client)
    previous = services.cloud
    services.cloud = cloud
    return previous


class ReachableCloud:
    """Connects every subaccount, serves fixed trust lists and available channels, opens every
    channel (each then connected, with one open connection), and records what it was asked."""

    def __init__(
        self, idps: tuple[dict[str, Any], ...] = (IDP,), apps: tuple[dict[str, Any], ...] = (APP,)
    ) -> None:
        self.trust = TrustLists(idps=idps, apps=apps)
        self.synced: list[str] = []
        self.opened: list[str] = []

    def connect(self, region_host: str, subaccount: str) -> TunnelOutcome:
        return TunnelOutcome(state=CONNECTED, connected_since_ms=CONNECTED_SINCE, message="ok")

    def sync_trust(self, region_host: str, subaccount: str) -> TrustLists:
        self.synced.append(subaccount)
        return self.trust

    def available_channels(
        self, region_host: str, subaccount: str, channel_type: str
    ) -> list[dict[str, str]]:
        return [dict(entry) for entry in AVAILABLE[channel_type]]

    def open_channel(self, region_host: str, subaccount: str, channel: str) -> None:
        self.opened.append(channel)

    def channel_state(self, region_host: str, subaccount: str, channel: str) -> ChannelState:
        return ChannelState(
            connected=True, opened_connections=1, connected_since_ms=CONNECTED_SINCE
        )

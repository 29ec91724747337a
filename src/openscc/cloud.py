"""The connection to SAP BTP (the tunnel), behind one small interface.

openscc administers a Cloud Connector's configuration; it does not implement the tunnel to SAP BTP.
Everything that would need that tunnel goes through ``CloudConnection``:

``connect``      try to open a subaccount's tunnel; returns the resulting state, never raises
``sync_trust``   fetch the subaccount's trust configuration from SAP BTP; raises if it cannot
``open_channel`` open a service channel through the tunnel; raises if it cannot

The shipped implementation, ``OfflineCloud``, reaches nothing: ``connect`` reports
``ConnectFailure`` with the reason, and the other two raise. So the API never reports a connection
that does not exist. A real implementation can be installed as the app's ``services.cloud``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from openscc.errors import OpensccError

CONNECTED = "Connected"
DISCONNECTED = "Disconnected"
CONNECT_FAILURE = "ConnectFailure"
TUNNEL_STATES = (CONNECTED, DISCONNECTED, CONNECT_FAILURE)

OFFLINE_REASON = "openscc does not implement the tunnel to SAP BTP, so no connection was opened"


@dataclass(frozen=True, kw_only=True, slots=True)
class TunnelOutcome:
    """The state a connection attempt left the tunnel in."""

    state: str
    connected_since_ms: int  # 0 unless state is Connected
    message: str


class ChannelCannotOpen(OpensccError):
    """The service channel cannot be opened (the product answers 500 RUNTIME_FAILURE too)."""


class CloudUnavailable(OpensccError):
    """An operation needs SAP BTP and SAP BTP cannot be reached."""


class CloudConnection(Protocol):
    def connect(self, region_host: str, subaccount: str) -> TunnelOutcome: ...

    def sync_trust(self, region_host: str, subaccount: str) -> None: ...

    def open_channel(self, region_host: str, subaccount: str, channel: str) -> None: ...


class OfflineCloud:
    """The shipped CloudConnection: it never connects and says so."""

    def connect(self, region_host: str, subaccount: str) -> TunnelOutcome:
        return TunnelOutcome(
            state=CONNECT_FAILURE,
            connected_since_ms=0,
            message=f"Subaccount {subaccount}@{region_host} cannot connect: {OFFLINE_REASON}",
        )

    def sync_trust(self, region_host: str, subaccount: str) -> None:
        raise CloudUnavailable(
            f"The trust configuration of {subaccount}@{region_host} cannot be synchronized: "
            + OFFLINE_REASON
        )

    def open_channel(self, region_host: str, subaccount: str, channel: str) -> None:
        raise ChannelCannotOpen(
            f"Service channel could not be opened: {channel} of {subaccount}@{region_host} "
            f"needs the tunnel to SAP BTP; {OFFLINE_REASON}"
        )

"""The connection to SAP BTP (the tunnel), behind one small interface.

openscc administers a Cloud Connector's configuration; it does not implement the tunnel to SAP BTP.
Everything that would need that tunnel goes through ``CloudConnection``:

``connect``            try to open a subaccount's tunnel; returns the resulting state, never raises
``sync_trust``         fetch the subaccount's trusted identity providers and applications
``available_channels`` the HANA instances or virtual machines a service channel could reach
``open_channel``       open a service channel through the tunnel; raises if it cannot
``channel_state``      whether an open channel is connected, and how many connections it has

The shipped implementation, ``OfflineCloud``, reaches nothing: ``connect`` reports
``ConnectFailure`` with the reason, ``channel_state`` reports a channel that is not connected, and
the others raise. So the API never reports a connection that does not exist. A real implementation
can be installed as the app's ``services.cloud``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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


@dataclass(frozen=True, kw_only=True, slots=True)
class TrustLists:
    """A subaccount's trust configuration as SAP BTP has it.

    ``idps``: ``{id, name, description, certificate}``, ``certificate`` being ``{issuer,
    subjectDN, notBeforeTimeStamp, notAfterTimeStamp}``; ``apps``: ``{id, name,
    applicationType}``. Whether each is trusted (``enabled``) is the connector's own setting.
    """

    idps: tuple[dict[str, Any], ...]
    apps: tuple[dict[str, Any], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelState:
    """A service channel's connection as the tunnel sees it."""

    connected: bool
    opened_connections: int
    connected_since_ms: int  # 0 unless connected


NOT_CONNECTED = ChannelState(connected=False, opened_connections=0, connected_since_ms=0)


class CloudConnection(Protocol):
    def connect(self, region_host: str, subaccount: str) -> TunnelOutcome: ...

    def sync_trust(self, region_host: str, subaccount: str) -> TrustLists: ...

    def available_channels(
        self, region_host: str, subaccount: str, channel_type: str
    ) -> list[dict[str, str]]: ...

    def open_channel(self, region_host: str, subaccount: str, channel: str) -> None: ...

    def channel_state(self, region_host: str, subaccount: str, channel: str) -> ChannelState: ...


class OfflineCloud:
    """The shipped CloudConnection: it never connects and says so."""

    def connect(self, region_host: str, subaccount: str) -> TunnelOutcome:
        return TunnelOutcome(
            state=CONNECT_FAILURE,
            connected_since_ms=0,
            message=f"Subaccount {subaccount}@{region_host} cannot connect: {OFFLINE_REASON}",
        )

    def sync_trust(self, region_host: str, subaccount: str) -> TrustLists:
        raise CloudUnavailable(
            f"The trust configuration of {subaccount}@{region_host} cannot be synchronized: "
            + OFFLINE_REASON
        )

    def available_channels(
        self, region_host: str, subaccount: str, channel_type: str
    ) -> list[dict[str, str]]:
        raise CloudUnavailable(
            f"The {channel_type} channels available to {subaccount}@{region_host} cannot be "
            f"listed: SAP BTP knows them, and {OFFLINE_REASON}"
        )

    def open_channel(self, region_host: str, subaccount: str, channel: str) -> None:
        raise ChannelCannotOpen(
            f"Service channel could not be opened: {channel} of {subaccount}@{region_host} "
            f"needs the tunnel to SAP BTP; {OFFLINE_REASON}"
        )

    def channel_state(self, region_host: str, subaccount: str, channel: str) -> ChannelState:
        return NOT_CONNECTED

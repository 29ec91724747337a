"""The shipped CloudConnection never pretends to reach SAP BTP."""

from __future__ import annotations

import pytest

from openscc.api.http.context import Services
from openscc.cloud import CONNECT_FAILURE, ChannelCannotOpen, CloudUnavailable, OfflineCloud


def test_offline_cloud_reports_connect_failure_with_a_reason() -> None:
    outcome = OfflineCloud().connect("cf.eu10.hana.ondemand.com", "sub")

    assert (outcome.state, outcome.connected_since_ms) == (CONNECT_FAILURE, 0)
    assert "does not implement the tunnel" in outcome.message


def test_offline_cloud_cannot_sync_trust_or_open_channels() -> None:
    with pytest.raises(CloudUnavailable):
        OfflineCloud().sync_trust("r", "s")
    with pytest.raises(ChannelCannotOpen) as raised:
        OfflineCloud().open_channel("r", "s", "K8S channel 1")
    assert raised.value.status == 500
    assert raised.value.type == "RUNTIME_FAILURE"


def test_the_offline_cloud_is_the_default(admin_app) -> None:  # type: ignore[no-untyped-def]
    """An app is built with the offline cloud unless another one is installed."""
    services: Services = admin_app.state.services

    assert isinstance(services.cloud, OfflineCloud)

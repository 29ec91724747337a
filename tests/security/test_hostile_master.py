"""A hostile master answering the shadow with endless bodies: the shadow reads at most its caps
(a page of changes, a snapshot) and goes no further, instead of filling its memory or disk. The
shadow's own code paths run against a master served by a mock transport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openscc.ha import peer, shadow
from openscc.ha.pair import Pair
from openscc.ha.protocol import GENERATION_HEADER, SEQ_HEADER, Position
from openscc.ha.settings import ShadowSettings
from support.in_process import InProcessServer

CAP = 1024 * 1024
READ_AHEAD = 1024 * 1024 + 2 * 128 * 1024  # the shadow reads in 1 MiB steps
SHADOW = ShadowSettings(master_host="master.example", master_port=8443, own_host="shadow",
                        ha_port=0, check_interval=1, takeover_delay=30, connect_timeout_ms=1000,
                        request_timeout_ms=5000)  # fmt: skip
PAIR = Pair(token="t" * 32, peer_instance="master", peer_host="master.example", peer_port=8443)


class Endless(httpx.AsyncByteStream):
    """A body that never ends; counts what was taken of it."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b"[" + b"0," * (64 * 1024)
        while True:
            self.sent += len(chunk)
            yield chunk


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Endless:
    body = Endless()

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {GENERATION_HEADER: "g", SEQ_HEADER: "1"}
        return httpx.Response(200, headers=headers, stream=body)

    def client(*args: Any, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url="https://master.example:8443",
                                 transport=httpx.MockTransport(answer))  # fmt: skip

    monkeypatch.setattr(shadow, "client", client)
    monkeypatch.setattr(peer, "MAX_ANSWER_BYTES", CAP)
    monkeypatch.setattr(peer, "MAX_SNAPSHOT_BYTES", CAP)
    return body


@pytest.fixture
def shadow_server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path / "shadow", initial_ha_role="shadow") as server:
        yield server


def test_an_endless_page_of_changes_is_refused_at_the_cap(
    hostile: Endless, shadow_server: InProcessServer
) -> None:
    link = shadow_server.app.state.services.ha.link

    with pytest.raises(peer.AnswerTooLarge):
        asyncio.run(link._follow(PAIR, SHADOW, Position("g", 0), wait=False))

    assert hostile.sent <= CAP + READ_AHEAD


def test_an_endless_snapshot_is_refused_at_the_cap_and_nothing_is_left(
    hostile: Endless, shadow_server: InProcessServer
) -> None:
    link = shadow_server.app.state.services.ha.link

    with pytest.raises(peer.AnswerTooLarge):
        asyncio.run(link._initial_sync(PAIR, SHADOW))

    assert hostile.sent <= CAP + READ_AHEAD
    assert list((shadow_server.settings.data_dir / "tmp").iterdir()) == []

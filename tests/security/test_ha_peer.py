"""The master's side of the pair protocol attacked (in process, the peer's address set by the
test client): a shadow claiming the allowed host name, and peer calls that change the pair
without an audit line."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.config import certs
from openscc.ha.protocol import PREFIX
from support.apps import ADMIN_PASSWORD, ADMINISTRATOR, BASE_URL, instance_of

MASTER_CONFIG = "/api/v1/configuration/connector/ha/master/config"


def _from(app: Starlette, address: str, **options: Any) -> TestClient:
    """A client whose connection comes from ``address``, as the administrator by default."""
    client = TestClient(app, base_url=BASE_URL, client=(address, 40000), **options)
    if "headers" not in options:
        client.auth = (ADMINISTRATOR, ADMIN_PASSWORD)
    return client


_SHADOW_CERTIFICATE = certs.self_signed(certs.name_of([("CN", "shadow")])).certificate_pem


def _bind_body(host: str) -> dict[str, Any]:
    return {"instance": "shadow-instance", "host": host, "port": 8443,
            "certificate": _SHADOW_CERTIFICATE}  # fmt: skip


def _allow(admin: TestClient, host: str) -> None:
    answer = admin.put(MASTER_CONFIG, json={"haEnabled": True, "allowedShadowHost": host})
    assert answer.status_code == 204, answer.text


def _audit(app: Starlette) -> list[dict[str, Any]]:
    path = instance_of(app).audit.path
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_shadow_claiming_the_allowed_host_from_another_address_is_refused(
    admin_app: Starlette, admin: TestClient
) -> None:
    _allow(admin, "shadow.example")  # resolves to nothing here
    intruder = _from(admin_app, "127.0.0.1")

    answer = intruder.post(f"{PREFIX}/bind", json=_bind_body("shadow.example"))

    assert answer.status_code == 409, answer.text
    assert "not 127.0.0.1" in answer.json()["message"]
    assert not any(e["event"] == "ha.shadow_bound" for e in _audit(admin_app))


def test_the_allowed_host_is_checked_against_the_connections_address(
    admin_app: Starlette, admin: TestClient
) -> None:
    """allowedShadowHost localhost resolves to 127.0.0.1: a bind from there is allowed (whatever
    host the shadow names), and the audit line names the real address."""
    _allow(admin, "localhost")
    shadow = _from(admin_app, "127.0.0.1")

    answer = shadow.post(f"{PREFIX}/bind", json=_bind_body("any-name-it-likes"))

    assert answer.status_code == 200, answer.text
    [bound] = [e for e in _audit(admin_app) if e["event"] == "ha.shadow_bound"]
    assert bound["address"] == "127.0.0.1"
    assert bound["shadow_says"] == "any-name-it-likes"


def test_rebind_and_unbind_are_audited(admin_app: Starlette, admin: TestClient) -> None:
    _allow(admin, "")
    shadow = _from(admin_app, "127.0.0.9")
    token = shadow.post(f"{PREFIX}/bind", json=_bind_body("shadow-a")).json()["token"]
    peer = _from(admin_app, "127.0.0.9", headers={"Authorization": f"Bearer {token}"})

    assert peer.post(f"{PREFIX}/rebind", json=_bind_body("shadow-b")).status_code == 200
    assert peer.post(f"{PREFIX}/unbind").status_code == 204

    events = {e["event"]: e for e in _audit(admin_app)}
    assert events["ha.shadow_rebound"]["address"] == "127.0.0.9"
    assert events["ha.shadow_rebound"]["shadow_says"] == "shadow-b"
    assert events["ha.shadow_unbound"]["address"] == "127.0.0.9"

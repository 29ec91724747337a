"""A subaccount's trust configuration, its corrupted-subaccount list and the recovery subaccount."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from openscc import kinds
from openscc.store.entities import EntityStore
from support.cloud import APP, IDP, ReachableCloud, install
from support.config_api import REGION, SA, SUBACCOUNT, create_subaccount

TRUST = f"{SA}/trust"


@pytest.fixture
def synced(admin: TestClient) -> tuple[TestClient, ReachableCloud]:
    """A connected subaccount whose trust lists were synchronized from SAP BTP."""
    cloud = ReachableCloud()
    install(admin, cloud)
    create_subaccount(admin)
    assert admin.post(TRUST).status_code == 204
    return admin, cloud


def test_auto_sync_setting_reads_back(with_subaccount: TestClient) -> None:
    before = with_subaccount.get(TRUST).json()

    response = with_subaccount.put(TRUST, json={"autoSyncTrustEnabled": True})

    assert before == {"autoSyncTrustEnabled": False}
    assert response.status_code == 204
    assert with_subaccount.get(TRUST).json() == {"autoSyncTrustEnabled": True}


def test_lists_are_empty_until_synchronized(with_subaccount: TestClient) -> None:
    """Without a tunnel nothing synchronizes: the lists are empty, never invented."""
    assert with_subaccount.get(f"{TRUST}/idps").json() == []
    assert with_subaccount.get(f"{TRUST}/apps").json() == []
    assert with_subaccount.post(TRUST).status_code == 409


def test_synchronized_lists_are_stored_and_trusted(
    synced: tuple[TestClient, ReachableCloud],
) -> None:
    admin, cloud = synced

    idps = admin.get(f"{TRUST}/idps").json()
    apps = admin.get(f"{TRUST}/apps").json()

    assert cloud.synced == [SUBACCOUNT]
    assert idps == [{**IDP, "enabled": True}]
    assert apps == [{**APP, "enabled": True}]
    assert admin.get(f"{TRUST}/idps/1").json() == {**IDP, "enabled": True}
    assert admin.get(f"{TRUST}/apps/7").json() == {**APP, "enabled": True}


def test_an_entry_is_distrusted_and_stays_so_after_the_next_sync(
    synced: tuple[TestClient, ReachableCloud],
) -> None:
    admin, cloud = synced

    response = admin.put(f"{TRUST}/apps/7", json={"enabled": False})
    cloud.trust = type(cloud.trust)(idps=cloud.trust.idps, apps=(APP, {**APP, "id": 8}))
    assert admin.post(TRUST).status_code == 204

    assert response.status_code == 204
    assert [(a["id"], a["enabled"]) for a in admin.get(f"{TRUST}/apps").json()] == [
        (7, False),
        (8, True),
    ]
    assert admin.get(f"{TRUST}/idps/1").json()["enabled"] is True


def test_an_entry_sap_btp_no_longer_lists_is_dropped(
    synced: tuple[TestClient, ReachableCloud],
) -> None:
    admin, cloud = synced
    cloud.trust = type(cloud.trust)(idps=(), apps=cloud.trust.apps)

    admin.post(TRUST)

    assert admin.get(f"{TRUST}/idps").json() == []
    assert admin.get(f"{TRUST}/idps/1").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "idps/2", None),
        ("GET", "apps/x", None),
        ("PUT", "idps/2", {"enabled": True}),
        ("PUT", "apps/1", {"enabled": False}),
    ],
)
def test_an_unknown_entry_is_not_found(
    synced: tuple[TestClient, ReachableCloud], method: str, path: str, body: object
) -> None:
    admin, _cloud = synced

    response = admin.request(method, f"{TRUST}/{path}", json=body)

    assert response.status_code == 404
    assert response.json()["type"] == "NOT_FOUND"


def test_enabled_is_required(synced: tuple[TestClient, ReachableCloud]) -> None:
    admin, _cloud = synced

    assert admin.put(f"{TRUST}/idps/1", json={}).status_code == 400
    assert admin.put(f"{TRUST}/idps/1", json={"enabled": "maybe"}).status_code == 400


def test_display_reads_the_lists_but_not_an_entry(
    synced: tuple[TestClient, ReachableCloud], client_of_role: Callable[[str], TestClient]
) -> None:
    """The pages give the entries' properties to the three administrator roles only."""
    viewer = client_of_role("sccdisplay")

    assert viewer.get(f"{TRUST}/idps").status_code == 200
    assert viewer.get(f"{TRUST}/idps/1").status_code == 403
    assert viewer.put(f"{TRUST}/idps/1", json={"enabled": False}).status_code == 403


def test_the_lists_go_with_the_subaccount(synced: tuple[TestClient, ReachableCloud]) -> None:
    admin, _cloud = synced
    admin.delete(SA)

    create_subaccount(admin)

    assert admin.get(f"{TRUST}/idps").json() == []


def _tamper_secret(store: EntityStore) -> None:
    """Flip one bit of the subaccount's sealed secret, as an edit of the database file would."""
    where = (kinds.SUBACCOUNT, kinds.subaccount_key(REGION, SUBACCOUNT))
    with store.transaction():
        connection = store.connection
        (sealed,) = connection.execute(
            "SELECT secret FROM entity WHERE kind = ? AND key = ?", where
        ).fetchone()
        changed = bytes([sealed[0], sealed[1] ^ 1]) + sealed[2:]
        connection.execute(
            "UPDATE entity SET secret = ? WHERE kind = ? AND key = ?", (changed, *where)
        )


def test_a_subaccount_changed_outside_openscc_is_listed_as_corrupted(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """Its secret no longer opens: it leaves the list of subaccounts for the corrupted list."""
    assert with_subaccount.get("/api/v1/configuration/subaccounts/corrupted").json() == []

    _tamper_secret(store)

    corrupted = with_subaccount.get("/api/v1/configuration/subaccounts/corrupted")
    assert corrupted.json() == [{"regionHost": REGION, "subaccount": SUBACCOUNT}]
    assert with_subaccount.get("/api/v1/configuration/subaccounts").json() == []


def test_a_corrupted_subaccount_is_named_when_a_backup_cannot_be_made(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    """A backup would need its secret: a clear error names it, never a traceback."""
    _tamper_secret(store)

    response = with_subaccount.post("/api/v1/configuration/backup", json={"password": "pw"})

    assert response.status_code == 500
    assert response.json()["type"] == "RUNTIME_FAILURE"
    assert response.json()["message"].startswith("stored configuration is damaged: ")
    assert SUBACCOUNT in response.json()["message"]


def test_a_corrupted_subaccount_can_be_deleted(
    with_subaccount: TestClient, store: EntityStore
) -> None:
    _tamper_secret(store)

    assert with_subaccount.delete(SA).status_code == 204
    assert with_subaccount.get("/api/v1/configuration/subaccounts/corrupted").json() == []


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("POST", "recovery"),
        ("DELETE", "recovery"),
        ("POST", "recovery/validity"),
        ("PUT", "recovery/state"),
        ("POST", "recovery/takeover"),
    ],
)
def test_the_discontinued_recovery_subaccount_answers_410(
    with_subaccount: TestClient, method: str, suffix: str
) -> None:
    response = with_subaccount.request(method, f"{SA}/{suffix}")

    assert response.status_code == 410
    assert "discontinued" in response.json()["message"]

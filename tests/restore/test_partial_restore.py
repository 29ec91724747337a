"""Partial restore: selected subaccounts from a full backup replace the current ones, and
every other entity stays byte for byte; validated first, with a safety backup, a dry run that
changes nothing, and refusals that change nothing."""

from __future__ import annotations

from typing import Any

from openscc import kinds
from support.in_process import BACKUP_PASSWORD, InProcessServer
from support.populate import REGION, SUBACCOUNTS, populate_every_kind

PARTIAL = "/api/openscc/v1/backup/partial"
FIRST, SECOND = (s for s, _ in SUBACCOUNTS[:2])
CONFIG = "/api/v1/configuration/subaccounts"


def _entities(server: InProcessServer) -> dict[tuple[str, str], Any]:
    return {(r.kind, r.key): (r.parent, r.body, r.secret) for r in server.instance.store.iter_all()}


def _of(entities: dict[tuple[str, str], Any], subaccount: str) -> dict[tuple[str, str], Any]:
    key = kinds.subaccount_key(REGION, subaccount)
    return {k: v for k, v in entities.items() if k[1] == key or k[1].startswith(key + "\x1f")}


def _partial(server: InProcessServer, archive: bytes, *names: str, password: str = BACKUP_PASSWORD,
             dry_run: bool = False) -> Any:  # fmt: skip
    return server.http.put(
        PARTIAL + ("?dryRun=true" if dry_run else ""),
        files={"backup": ("b.zip", archive)},
        data={"password": password, "subaccounts": list(names)},
        auth=server.auth,
    )


def _populated(connector: InProcessServer) -> bytes:
    connector.http.auth = connector.auth
    populate_every_kind(connector.http)
    return connector.backup()


def test_only_the_selected_subaccount_is_restored(connector: InProcessServer) -> None:
    archive = _populated(connector)
    backed_up = _entities(connector)
    first = f"{CONFIG}/{REGION}/{FIRST}"
    second = f"{CONFIG}/{REGION}/{SECOND}"
    http = connector.http
    assert http.delete(f"{first}/systemMappings/erp.virtual:44300").status_code == 204
    assert http.put(first, json={"description": "changed after the backup"}).status_code == 200
    assert http.post(f"{second}/domainMappings",
                     json={"virtualDomain": "v9.corp", "internalDomain": "i9.corp"}).status_code == 201  # fmt: skip
    connector.set_description("changed after the backup too")
    before = _entities(connector)

    response = _partial(connector, archive, f"{REGION}/{FIRST}")

    assert response.status_code == 200, response.text
    after = _entities(connector)
    assert _of(after, FIRST) == _of(backed_up, FIRST)  # back as it was backed up
    rest = {k: v for k, v in after.items() if k not in _of(after, FIRST)}
    untouched = {k: v for k, v in before.items() if k not in _of(before, FIRST)}
    assert rest == untouched  # every other entity, byte for byte
    assert response.json()["safetyBackup"].startswith("safety-")
    assert response.json()["changes"]["systemMapping"]["added"] == 1
    # A new channel never takes a restored one's number.
    added = http.post(f"{first}/channels/K8S", json={"k8sCluster": "c", "k8sService": "s",
                                                     "port": "3001"})  # fmt: skip
    assert added.status_code == 201, added.text
    ids = [c["id"] for c in http.get(f"{first}/channels").json()]
    assert len(ids) == len(set(ids))


def test_a_dry_run_changes_nothing(connector: InProcessServer) -> None:
    archive = _populated(connector)
    connector.http.delete(f"{CONFIG}/{REGION}/{FIRST}")
    before = _entities(connector)

    response = _partial(connector, archive, f"{REGION}/{FIRST}", dry_run=True)

    assert response.status_code == 200, response.text
    assert response.json()["dryRun"] is True
    assert response.json()["changes"]["subaccount"]["added"] == 1
    assert _entities(connector) == before


def test_refusals_change_nothing(connector: InProcessServer) -> None:
    archive = _populated(connector)
    connector.set_description("after")
    before = _entities(connector)

    cases = [
        _partial(connector, archive, f"{REGION}/not-in-the-archive"),
        _partial(connector, archive, f"{REGION}/{FIRST}", password="wrong-password"),
        _partial(connector, archive, "no-slash"),
        _partial(connector, b"not a zip", f"{REGION}/{FIRST}"),
    ]

    assert [c.status_code for c in cases] == [400, 400, 400, 400]
    assert all(c.json()["type"] == "INVALID_REQUEST" for c in cases)
    assert "not-in-the-archive" in cases[0].json()["message"]
    assert _entities(connector) == before


def test_a_wrong_own_password_and_a_pending_restore_are_refused(connector: InProcessServer) -> None:
    archive = _populated(connector)
    before = _entities(connector)
    wrong = connector.http.put(
        PARTIAL,
        files={"backup": ("b.zip", archive)},
        data={
            "password": BACKUP_PASSWORD,
            "subaccounts": f"{REGION}/{FIRST}",
            "userPassword": "not-mine",
        },
        auth=connector.auth,
    )
    connector.app.state.services.restore_pending = True
    pending = _partial(connector, archive, f"{REGION}/{FIRST}")
    connector.app.state.services.restore_pending = False

    assert wrong.status_code == 400
    assert "own password" in wrong.json()["message"]
    assert pending.status_code == 409
    assert _entities(connector) == before

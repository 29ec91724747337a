"""Proxy settings: ports as strings on read, the password write-only and secret."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from openscc import kinds
from openscc.store.entities import EntityStore
from support.config_api import CONFIG

PROXY = f"{CONFIG}/connector/proxy"
BODY = {"host": "testHost", "password": "testPassword", "port": 123, "user": "testUser"}


def test_put_then_get_masks_the_password(admin: TestClient) -> None:
    """The port sent as a number reads back as a string; the password reads back as ***."""
    assert admin.put(PROXY, json=BODY).status_code == 204

    assert admin.get(PROXY).json() == {
        "host": "testHost",
        "port": "123",
        "user": "testUser",
        "password": "***",
    }


def test_password_is_only_in_the_secret(admin: TestClient, store: EntityStore) -> None:
    admin.put(PROXY, json=BODY)

    record = store.get(kinds.PROXY, kinds.SINGLETON_KEY, with_secret=True)

    assert record is not None
    assert record.secret == {"password": "testPassword"}
    assert "testPassword" not in json.dumps(record.body)


def test_sending_the_mask_back_keeps_the_password(admin: TestClient, store: EntityStore) -> None:
    admin.put(PROXY, json=BODY)

    admin.put(PROXY, json={**BODY, "host": "updatedTestHost", "password": "***"})

    record = store.get(kinds.PROXY, kinds.SINGLETON_KEY, with_secret=True)
    assert record is not None
    assert record.secret == {"password": "testPassword"}
    assert admin.get(PROXY).json()["host"] == "updatedTestHost"


def test_empty_object_or_delete_removes_the_proxy(admin: TestClient) -> None:
    admin.put(PROXY, json=BODY)
    assert admin.put(PROXY, json={}).status_code == 204
    assert admin.get(PROXY).json() == {}

    admin.put(PROXY, json=BODY)
    assert admin.delete(PROXY).status_code == 204
    assert admin.get(PROXY).json() == {}


def test_proxy_without_password_shows_none(admin: TestClient) -> None:
    admin.put(PROXY, json={"host": "h", "port": "8080"})

    assert admin.get(PROXY).json() == {"host": "h", "port": "8080", "user": ""}


def test_invalid_proxy_is_rejected(admin: TestClient) -> None:
    assert admin.put(PROXY, json={"host": "h", "port": "x"}).status_code == 400
    assert admin.put(PROXY, json={"port": 1}).status_code == 400

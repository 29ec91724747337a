"""Heavy lists are answered from a cache only while the configuration is unchanged."""

from __future__ import annotations

import sqlite3

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.config import system_mappings as mapping_model
from support.apps import instance_of
from support.config_api import SA, mapping_body

MAPPINGS = f"{SA}/systemMappings"


@pytest.fixture
def view_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how many mapping views the server builds."""
    calls: list[int] = []
    original = mapping_model.view

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(mapping_model, "view", counting)
    return calls


def test_a_repeated_list_is_not_built_again(
    with_subaccount: TestClient, view_calls: list[int]
) -> None:
    """The second identical read reuses the first answer, byte for byte."""
    with_subaccount.post(MAPPINGS, json=mapping_body())
    first = with_subaccount.get(MAPPINGS)
    built = len(view_calls)

    second = with_subaccount.get(MAPPINGS)

    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["content-type"] == "application/json"
    assert len(view_calls) == built


def test_a_change_through_the_api_is_seen_at_once(with_subaccount: TestClient) -> None:
    """After a write, the next read shows it."""
    with_subaccount.post(MAPPINGS, json=mapping_body(virtualHost="one", virtualPort="1"))
    assert len(with_subaccount.get(MAPPINGS).json()) == 1

    with_subaccount.post(MAPPINGS, json=mapping_body(virtualHost="two", virtualPort="2"))

    assert len(with_subaccount.get(MAPPINGS).json()) == 2


def test_a_change_by_another_process_is_seen_at_once(
    with_subaccount: TestClient, admin_app: Starlette
) -> None:
    """A write to the database from outside the server (another connection) invalidates too."""
    with_subaccount.post(MAPPINGS, json=mapping_body(description="before"))
    assert with_subaccount.get(MAPPINGS).json()[0]["description"] == "before"
    path = instance_of(admin_app).data_dir / "config.db"

    other = sqlite3.connect(path)
    other.execute(
        "UPDATE entity SET body = json_set(body, '$.description', 'after') WHERE kind = 'systemMapping'"
    )
    other.commit()
    other.close()

    assert with_subaccount.get(MAPPINGS).json()[0]["description"] == "after"


def test_each_host_name_gets_its_own_absolute_links(with_subaccount: TestClient) -> None:
    """Answers carry absolute links, so a client addressing the server by another of its names
    is not served another's."""
    with_subaccount.post(MAPPINGS, json=mapping_body())
    first = with_subaccount.get(MAPPINGS, headers={"host": "localhost:8443"}).text

    other = with_subaccount.get(MAPPINGS, headers={"host": "127.0.0.1:8443"}).text

    assert "https://localhost:8443" in first
    assert "https://127.0.0.1:8443" in other
    assert "https://localhost:8443" not in other


def test_the_guard_still_decides_before_a_cached_answer(
    with_subaccount: TestClient, admin_app: Starlette
) -> None:
    """A cached list is never handed to a caller who may not read it: here a user who has not
    changed the initial password (every role may read lists, so the refusal is that rule's)."""
    with_subaccount.post(MAPPINGS, json=mapping_body())
    assert with_subaccount.get(MAPPINGS).status_code == 200
    instance = instance_of(admin_app)
    with instance.store.transaction():
        instance.users.add("fresh", "sccdisplay", "Fresh-pa55word", initial_password=True)

    response = with_subaccount.get(MAPPINGS, auth=("fresh", "Fresh-pa55word"))

    assert response.status_code == 403
    assert response.json()["message"] == "operation unavailable unless initial password is changed"

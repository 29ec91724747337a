"""The e-mail configuration (SAP's e-mail-configuration page): its shape, validation (only once
enabled, as documented), the write-only SMTP password, roles, and its entity."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from openscc import kinds
from openscc.auth.roles import ROLE_NAMES
from openscc.store.entities import EntityStore
from support.config_api import CONFIG

EMAIL = f"{CONFIG}/connector/email"
PASSWORD = "Smtp-secret-0f-the-test"
MINIMAL = {
    "enabled": True,
    "trustOption": "emailTrustStore",
    "sendTo": "recipient@corp.de",
    "sendFrom": "sender@othercorp.com",
    "smtpHost": "walldorf.corp.host",
}
# The page's "PUT with optional values" sample.
FULL = {
    **MINIMAL,
    "smtpPort": 587,
    "sendCc": "John Doe <j.doe@company.com>, Jane Doe <j2.doe@company.com>",
    "smtpUsername": "username123",
    "smtpPassword": PASSWORD,
    "additionalProperties": {"mail.smtp.someKey": "someValue"},
}


def _password(store: EntityStore) -> str | None:
    record = store.get(kinds.EMAIL, kinds.SINGLETON_KEY, with_secret=True)
    assert record is not None
    return (record.secret or {}).get("smtpPassword")


def test_an_unconfigured_instance_does_not_send(admin: TestClient) -> None:
    response = admin.get(EMAIL)

    assert response.status_code == 200
    assert response.json() == {"enabled": False}


def test_the_documented_samples_round_trip_without_the_password(admin: TestClient) -> None:
    """The sample with optional values reads back as the page's GET sample: everything but the
    password, in the documented order."""
    response = admin.put(EMAIL, json=FULL)

    assert response.status_code == 204
    answer = admin.get(EMAIL)
    assert answer.json() == {k: v for k, v in FULL.items() if k != "smtpPassword"}
    assert list(answer.json()) == [
        "enabled",
        "trustOption",
        "sendTo",
        "sendCc",
        "sendFrom",
        "smtpHost",
        "smtpPort",
        "smtpUsername",
        "additionalProperties",
    ]
    assert PASSWORD not in answer.text


def test_without_optional_values_only_the_mandatory_ones_are_answered(admin: TestClient) -> None:
    assert admin.put(EMAIL, json=MINIMAL).status_code == 204

    assert admin.get(EMAIL).json() == MINIMAL


def test_the_password_is_only_in_the_entitys_secret(admin: TestClient, store: EntityStore) -> None:
    admin.put(EMAIL, json=FULL)

    record = store.get(kinds.EMAIL, kinds.SINGLETON_KEY, with_secret=True)

    assert record is not None
    assert record.secret == {"smtpPassword": PASSWORD}
    assert PASSWORD not in json.dumps(record.body)


def test_the_password_never_reaches_the_audit_log(admin: TestClient, admin_app: Any) -> None:
    admin.put(EMAIL, json=FULL)
    admin.patch(EMAIL, json={"smtpPassword": "An0ther-secret-value"})

    text = admin_app.state.services.instance.audit.path.read_text()

    assert "email.changed" in text
    assert PASSWORD not in text
    assert "An0ther-secret-value" not in text


def test_put_without_the_password_keeps_it_for_the_same_user(
    admin: TestClient, store: EntityStore
) -> None:
    """A client cannot read the password back, so GET, change, PUT must not lose it."""
    admin.put(EMAIL, json=FULL)

    read = admin.get(EMAIL).json()
    assert admin.put(EMAIL, json={**read, "sendTo": "other@corp.de"}).status_code == 204

    assert _password(store) == PASSWORD
    assert admin.get(EMAIL).json()["sendTo"] == "other@corp.de"


def test_put_with_another_user_and_no_password_drops_the_password(
    admin: TestClient, store: EntityStore
) -> None:
    admin.put(EMAIL, json=FULL)

    admin.put(EMAIL, json={**MINIMAL, "smtpUsername": "someone-else"})

    assert _password(store) is None


def test_patch_changes_what_it_gives_and_null_removes_an_optional_value(
    admin: TestClient, store: EntityStore
) -> None:
    admin.put(EMAIL, json=FULL)

    assert admin.patch(EMAIL, json={"smtpPort": "25", "sendCc": None}).status_code == 204

    answer = admin.get(EMAIL).json()
    assert answer["smtpPort"] == 25
    assert "sendCc" not in answer
    assert _password(store) == PASSWORD


def test_removing_the_user_removes_the_password(admin: TestClient, store: EntityStore) -> None:
    admin.put(EMAIL, json=FULL)

    admin.patch(EMAIL, json={"smtpUsername": None})

    assert _password(store) is None


def test_a_disabled_draft_is_not_validated(admin: TestClient) -> None:
    """ "Validation of the configuration only happens if enabled is set to true.\""""
    draft = {"enabled": False, "trustOption": "sometimes", "sendTo": "nobody", "smtpPort": 0}

    assert admin.put(EMAIL, json=draft).status_code == 204
    assert admin.get(EMAIL).json() == draft

    enabling = admin.patch(EMAIL, json={"enabled": True})
    assert enabling.status_code == 400
    assert admin.get(EMAIL).json()["enabled"] is False


def test_enabling_a_complete_draft_validates_it(admin: TestClient) -> None:
    admin.put(EMAIL, json={**MINIMAL, "enabled": False})

    assert admin.patch(EMAIL, json={"enabled": "true"}).status_code == 204

    assert admin.get(EMAIL).json()["enabled"] is True


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"trustOption": None}, "trustOption is required"),
        ({"sendTo": ""}, "sendTo is required"),
        ({"sendFrom": None}, "sendFrom is required"),
        ({"smtpHost": None}, "smtpHost is required"),
        ({"trustOption": "ssl"}, "trustOption must be one of"),
        ({"sendTo": "not an address"}, "sendTo is not a list of e-mail addresses"),
        ({"sendTo": "a@corp.de, b@"}, "sendTo is not a list"),
        ({"sendTo": "a@corp.de\r\nBcc: x@evil.example"}, "control characters"),
        ({"sendCc": "someone"}, "sendCc is not a list"),
        ({"sendFrom": "a@corp.de, b@corp.de"}, "sendFrom must be one e-mail address"),
        ({"smtpHost": "mail host"}, "not a valid host name"),
        ({"smtpHost": "-mail.corp"}, "not a valid host name"),
        ({"smtpPort": 0}, "smtpPort must be between 1 and 65535"),
        ({"smtpPort": 65536}, "smtpPort must be between 1 and 65535"),
        ({"smtpPort": "smtp"}, "smtpPort must be a number"),
    ],
)
def test_an_enabled_configuration_is_validated(
    admin: TestClient, change: dict[str, Any], says: str
) -> None:
    """The page's INVALID_REQUEST cases: mandatory values, trustOption, addresses, host, port."""
    response = admin.put(EMAIL, json={**MINIMAL, **change})

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert says in response.json()["message"]
    assert admin.get(EMAIL).json() == {"enabled": False}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "empty"),
        ({"sendTo": "a@corp.de"}, "enabled is required"),
        ({"enabled": "yes"}, "enabled must be a boolean"),
        ({"enabled": ""}, "enabled must be a boolean"),
        ({"enabled": False, "sendTo": 5}, "sendTo must be a string"),
        ({"enabled": False, "smtpPort": 1.5}, "smtpPort must be a number or a string"),
        ({"enabled": False, "smtpPassword": 7}, "smtpPassword must be a string"),
        ({"enabled": False, "additionalProperties": ["x"]}, "additionalProperties must be"),
        ({"enabled": False, "additionalProperties": {"k": {"v": 1}}}, "must be a string"),
        ({"enabled": False, "smtpServer": "x"}, "unknown field 'smtpServer'"),
    ],
)
def test_types_and_names_are_always_checked(
    admin: TestClient, body: dict[str, Any], says: str
) -> None:
    response = admin.put(EMAIL, json=body)

    assert response.status_code == 400
    assert says in response.json()["message"]


def test_an_empty_patch_is_400(admin: TestClient) -> None:
    response = admin.patch(EMAIL, json={})

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_addresses_may_be_named_and_quoted_and_ip_literal_hosts_work(admin: TestClient) -> None:
    body = {
        **MINIMAL,
        "sendTo": '"Doe, John" <j.doe@company.com>, ops+alerts@[192.0.2.1]',
        "smtpHost": "192.0.2.25",
    }

    assert admin.put(EMAIL, json=body).status_code == 204


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_role_reads_and_the_administrators_write(
    client_of_role: Callable[[str], TestClient], role: str
) -> None:
    client = client_of_role(role)

    assert client.get(EMAIL).status_code == 200
    expected = 204 if role in ("sccadmin", "sccassocadmin") else 403
    assert client.put(EMAIL, json=MINIMAL).status_code == expected
    assert client.patch(EMAIL, json={"sendTo": "x@corp.de"}).status_code == expected

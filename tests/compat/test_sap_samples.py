"""SAP's own Kotlin samples on the documentation pages (initial configuration, high availability
settings), replayed request by request as Fuel sends them: bodies without a JSON content type
(none, or text/plain), a bare role word, a PKCS#12 part without a filename."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openscc.config import certs, key_pairs
from support.apps import ADMINISTRATOR, INITIAL_PASSWORD

CONNECTOR = "/api/v1/configuration/connector"
PASSWORD = "Sample-pa55word"
SAMPLE = (ADMINISTRATOR, PASSWORD)
# What Fuel sends for .body("...") when the sample sets no Content-Type, and what the JVM's
# default HTTP stack then sends.
NO_JSON_TYPE = [{}, {"Content-Type": "text/plain; charset=UTF-8"}]


def _initial_password_changed(client: TestClient, headers: dict[str, str]) -> None:
    response = client.put(
        f"{CONNECTOR}/authentication/basic",
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        content=f'{{"oldPassword":"{INITIAL_PASSWORD}", "newPassword":"{PASSWORD}"}}',
        headers={"Connection": "close", **headers},
    )
    assert response.status_code == 204, response.text


@pytest.mark.parametrize("headers", NO_JSON_TYPE)
@pytest.mark.parametrize("role", ["master", "shadow"])
def test_initial_configuration_sample_sets_the_role_with_a_bare_word(
    client: TestClient, headers: dict[str, str], role: str
) -> None:
    _initial_password_changed(client, headers)

    response = client.put(f"{CONNECTOR}/haRole", auth=SAMPLE, content=role, headers=headers)

    assert response.status_code == 204, response.text
    assert client.get(f"{CONNECTOR}/haRole", auth=SAMPLE).json() == role


@pytest.mark.parametrize("body", ["master", ' "master" ', "master\n"])
def test_post_takes_the_role_bare_or_quoted(client: TestClient, body: str) -> None:
    _initial_password_changed(client, {})

    response = client.post(f"{CONNECTOR}/haRole", auth=SAMPLE, content=body)

    assert response.status_code == 204, response.text
    assert client.get(f"{CONNECTOR}/haRole", auth=SAMPLE).json() == "master"


@pytest.mark.parametrize("body", ["primary", "MASTER", "", '"master', "{}"])
def test_a_bare_word_other_than_a_role_is_refused(client: TestClient, body: str) -> None:
    _initial_password_changed(client, {})

    response = client.put(f"{CONNECTOR}/haRole", auth=SAMPLE, content=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert client.get(f"{CONNECTOR}/haRole", auth=SAMPLE).json() is None


@pytest.mark.parametrize("headers", NO_JSON_TYPE)
def test_description_sample_is_read_as_json(client: TestClient, headers: dict[str, str]) -> None:
    _initial_password_changed(client, headers)
    client.put(f"{CONNECTOR}/haRole", auth=SAMPLE, content="master", headers=headers)

    response = client.put(
        CONNECTOR, auth=SAMPLE, headers=headers,
        content='{"description":"<description of Cloud Connector instance>"}',
    )  # fmt: skip

    assert response.status_code == 200, response.text
    assert response.json()["description"] == "<description of Cloud Connector instance>"


@pytest.mark.parametrize("part", ["uiCertificate", "systemCertificate"])
def test_pkcs12_sample_upload_without_a_filename(client: TestClient, part: str) -> None:
    """Fuel.upload with formData [password, keyPassword] and BlobDataPart(name = "pkcs12")."""
    _initial_password_changed(client, {})
    client.put(f"{CONNECTOR}/haRole", auth=SAMPLE, content="master")
    pair = certs.self_signed(certs.parse_dn(f"CN={part}"))
    boundary = "2e6a7a5b-0cd8-4f39-9e56-3ae0d1c1b3c4"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n'
            "test1234\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="keyPassword"\r\n\r\n'
            "test1234\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="pkcs12"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode(),
            key_pairs.to_pkcs12(pair, "test1234"),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    path = f"{CONNECTOR}/ui/uiCertificate" if part == "uiCertificate" else (
        f"{CONNECTOR}/onPremise/systemCertificate"
    )  # fmt: skip

    response = client.put(
        path, auth=SAMPLE, content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip

    assert response.status_code == 204, response.text
    assert client.get(path, auth=SAMPLE).json()["subjectDN"] == f"CN={part}"


def test_another_content_type_is_still_refused(client: TestClient) -> None:
    response = client.put(
        f"{CONNECTOR}/authentication/basic",
        auth=(ADMINISTRATOR, INITIAL_PASSWORD),
        content=f'{{"oldPassword":"{INITIAL_PASSWORD}", "newPassword":"{PASSWORD}"}}',
        headers={"Content-Type": "application/xml"},
    )

    assert response.status_code == 415
    assert response.json()["type"] == "INVALID_REQUEST"

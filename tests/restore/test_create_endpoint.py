"""POST /api/v1/configuration/backup, as the seed document specifies it."""

from __future__ import annotations

import io
import zipfile

import pytest

from support.in_process import InProcessServer

URL = "/api/v1/configuration/backup"


def test_backup_is_a_zip_with_the_exact_content_type_and_length(
    connector: InProcessServer,
) -> None:
    """The answer is 200, Content-Type exactly application/zip, and a complete ZIP of that length."""
    response = connector.http.post(URL, auth=connector.auth, json={"password": "pw"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert int(response.headers["content-length"]) == len(response.content) > 0
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "password is required"),
        ({"password": ""}, "password must not be empty"),
        ({"password": 42}, "password must be a string"),
        ({"password": None}, "password is required"),
        (["pw"], "JSON object"),
    ],
)
def test_backup_refuses_a_missing_empty_or_non_string_password(
    connector: InProcessServer, body: object, message: str
) -> None:
    """A bad password is 400 INVALID_REQUEST saying what was wrong."""
    response = connector.http.post(URL, auth=connector.auth, json=body)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert message in response.json()["message"]


def test_backup_refuses_a_body_that_is_not_json(connector: InProcessServer) -> None:
    """A body that is not JSON is 400 INVALID_REQUEST, not a framework error."""
    response = connector.http.post(
        URL,
        auth=connector.auth,
        content=b"password=pw",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "INVALID_REQUEST",
        "message": "the request body is not valid JSON",
    }


def test_backup_error_never_echoes_the_password(connector: InProcessServer) -> None:
    """Error messages do not repeat the password that was sent."""
    response = connector.http.post(URL, auth=connector.auth, json={"password": ["s3cr3t-value"]})

    assert response.status_code == 400
    assert "s3cr3t-value" not in response.text


def test_backup_without_credentials_is_401(connector: InProcessServer) -> None:
    """No credentials: 401 with a Basic challenge."""
    response = connector.http.post(URL, json={"password": "pw"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("role", ["sccsubadmin", "sccsupport", "sccdisplay", "sccmonitoring"])
def test_only_administrators_may_back_up_or_restore(connector: InProcessServer, role: str) -> None:
    """Every role but Administrator gets 403 for both endpoints."""
    connector.instance.users.add("someone", role, "someone-pw")
    archive = connector.backup()

    created = connector.http.post(URL, auth=("someone", "someone-pw"), json={"password": "pw"})
    restored = connector.http.put(
        URL,
        auth=("someone", "someone-pw"),
        files={"backup": ("b.zip", archive)},
        data={"password": "backup-pw"},
    )

    assert (created.status_code, created.json()["type"]) == (403, "FORBIDDEN_REQUEST")
    assert (restored.status_code, restored.json()["type"]) == (403, "FORBIDDEN_REQUEST")


def test_admin_alias_role_may_back_up(connector: InProcessServer) -> None:
    """A user created with the role alias admin is an Administrator."""
    connector.instance.users.add("second-admin", "admin", "second-pw")

    response = connector.http.post(URL, auth=("second-admin", "second-pw"), json={"password": "pw"})

    assert response.status_code == 200


def test_shadow_instance_refuses_backups(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A shadow instance answers 403 FORBIDDEN_REQUEST to a backup."""
    connector = InProcessServer(tmp_path)
    from openscc.config.connector_state import update_connector

    update_connector(connector.instance.store, haRole="shadow")

    response = connector.http.post(URL, auth=connector.auth, json={"password": "pw"})

    assert response.status_code == 403
    assert "shadow" in response.json()["message"]
    connector.close()


def test_backup_works_with_a_session_and_its_csrf_token(connector: InProcessServer) -> None:
    """With only the session cookie, the backup needs the session's X-CSRF-Token."""
    first = connector.http.get("/api/v1/connector/version", auth=connector.auth)
    token = first.headers["x-csrf-token"]

    without = connector.http.post(URL, json={"password": "pw"})
    with_token = connector.http.post(URL, json={"password": "pw"}, headers={"X-CSRF-Token": token})

    assert without.status_code == 403
    assert with_token.status_code == 200
    assert with_token.headers["content-type"] == "application/zip"


def test_a_failed_backup_leaves_no_temporary_file(connector: InProcessServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """If writing the archive fails, the answer is 500 and no partial file stays behind."""
    import openscc.backup.create as create_module

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(create_module, "write_archive", explode)

    response = connector.http.post(URL, auth=connector.auth, json={"password": "pw"})

    assert response.status_code == 500
    assert response.json()["type"] == "RUNTIME_FAILURE"
    assert list((connector.instance.data_dir / "tmp").iterdir()) == []

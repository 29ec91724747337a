"""Solution management: settings, activation checked against the host agent executable, roles,
and a registration file built from the configuration."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from openscc import SCC_API_VERSION
from openscc.config import solution_management
from support.config_api import CONFIG, REGION, SUBACCOUNT

SOLMAN = f"{CONFIG}/connector/solutionManagement"
REGISTRATION = f"{SOLMAN}/registrationFile"
ClientOfRole = Callable[[str], TestClient]


@pytest.fixture
def host_agent(tmp_path: Path) -> str:
    """A stand-in host agent executable (openscc checks it exists; it never runs it)."""
    path = tmp_path / "saphostctrl"
    path.write_text("#!/bin/sh\nexit 1\n")
    path.chmod(stat.S_IRWXU)
    return str(path)


def test_defaults(admin: TestClient) -> None:
    assert admin.get(SOLMAN).json() == {
        "hostAgentPath": solution_management.DEFAULT_HOST_AGENT,
        "isEnabled": False,
        "dsrEnabled": False,
    }


def test_activation_with_an_existing_host_agent(admin: TestClient, host_agent: str) -> None:
    response = admin.post(SOLMAN, json={"hostAgentPath": host_agent, "dsrEnabled": "true"})

    assert response.status_code == 204
    assert admin.get(SOLMAN).json() == {
        "hostAgentPath": host_agent,
        "isEnabled": True,
        "dsrEnabled": True,
    }


def test_activation_without_a_body_uses_the_stored_path(admin: TestClient, host_agent: str) -> None:
    admin.post(SOLMAN, json={"hostAgentPath": host_agent})
    admin.delete(SOLMAN)

    assert admin.post(SOLMAN).status_code == 204

    assert admin.get(SOLMAN).json()["isEnabled"] is True


def test_deactivation_keeps_the_path(admin: TestClient, host_agent: str) -> None:
    admin.post(SOLMAN, json={"hostAgentPath": host_agent})

    assert admin.delete(SOLMAN).status_code == 204

    assert admin.get(SOLMAN).json() == {
        "hostAgentPath": host_agent,
        "isEnabled": False,
        "dsrEnabled": False,
    }


@pytest.mark.parametrize("name", ["missing", "directory", "not-executable", "relative"])
def test_a_host_agent_that_is_not_an_executable_file_is_an_invalid_configuration(
    admin: TestClient, tmp_path: Path, name: str
) -> None:
    paths = {
        "missing": str(tmp_path / "nothing-here"),
        "directory": str(tmp_path),
        "not-executable": str(tmp_path / "plain"),
        "relative": "saphostctrl",
    }
    (tmp_path / "plain").write_text("")

    response = admin.post(SOLMAN, json={"hostAgentPath": paths[name]})

    assert response.status_code == 409
    assert response.json()["type"] == "INVALID_CONFIGURATION"
    assert admin.get(SOLMAN).json()["isEnabled"] is False


def test_invalid_values_are_refused(admin: TestClient, host_agent: str) -> None:
    response = admin.post(SOLMAN, json={"hostAgentPath": host_agent, "dsrEnabled": "sometimes"})

    assert response.status_code == 400
    assert admin.get(SOLMAN).json()["isEnabled"] is False


def test_roles(admin: TestClient, client_of_role: ClientOfRole, host_agent: str) -> None:
    support = client_of_role("sccsupport")
    assert support.post(SOLMAN, json={"hostAgentPath": host_agent}).status_code == 204
    assert support.get(REGISTRATION).status_code == 200
    assert support.delete(SOLMAN).status_code == 204
    for role in ("sccassocadmin", "sccsubadmin", "sccdisplay", "sccmonitoring"):
        client = client_of_role(role)
        assert client.get(SOLMAN).status_code == 200, role
        assert client.post(SOLMAN, json={"hostAgentPath": host_agent}).status_code == 403, role
        assert client.delete(SOLMAN).status_code == 403, role
        assert client.get(REGISTRATION).status_code == 403, role


def test_the_registration_file_describes_this_connector(
    with_subaccount: TestClient, host_agent: str
) -> None:
    admin = with_subaccount
    admin.put(f"{CONFIG}/connector", json={"description": "plant <north> & south"})
    admin.post(SOLMAN, json={"hostAgentPath": host_agent, "dsrEnabled": True})

    response = admin.get(REGISTRATION)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [solution_management.REGISTRATION_MEMBER]
        xml = archive.read(solution_management.REGISTRATION_MEMBER)
    root = ElementTree.fromstring(xml)  # noqa: S314 - the server under test wrote it
    assert root.tag == "TechnicalSystem"
    assert root.find("Product").get("version") == SCC_API_VERSION  # type: ignore[union-attr]
    installation = root.find("Installation")
    assert installation is not None
    assert installation.get("description") == "plant <north> & south"
    assert installation.get("haRole") == "master"
    assert root.find("SolutionManagement").get("dsrEnabled") == "true"  # type: ignore[union-attr]
    subaccounts = [(s.get("regionHost"), s.get("subaccount")) for s in root.iter("Subaccount")]
    assert subaccounts == [(REGION, SUBACCOUNT)]

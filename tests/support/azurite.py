"""A real Azure Blob Storage service on loopback for the tests: Azurite, Microsoft's emulator
(the npm package ``azurite``, v3), in a process of its own. ``make test`` installs it into
``.venv/azurite``; without it the tests fail saying so, never skip.

    with Azurite(tmp_path) as azurite:
        azurite.create_container("backups")
        ... {"account": ACCOUNT, "endpoint": azurite.endpoint, "accessKey": KEY}

``Azurite(folder, pki=MailPki.make())`` serves HTTPS with that PKI's server certificate and
accepts bearer tokens (``--oauth basic``: Azurite checks a token's audience, issuer and expiry,
not its signature); ``fake_az_cli`` writes an ``az`` that hands out such a token, for the Azure
credential chain's AzureCliCredential. The blobs are read and written independently of openscc,
with Microsoft's own client (azure-storage-blob).
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import pytest
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

from support.server_process import free_port
from support.smtp import MailPki

ACCOUNT = "devstoreaccount1"
# Azurite's well-known account key, published in its documentation: no secret.
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
HOST = "127.0.0.1"


def azurite_blob() -> Path:
    """The blob service's command, installed beside the test environment's Python."""
    command = (
        Path(sys.executable).parent.parent / "azurite" / "node_modules" / ".bin" / "azurite-blob"
    )
    if not command.exists():
        pytest.fail(
            f"Azurite is not installed ({command} is missing): the Azure Blob Storage tests need "
            "it. `make test` installs it (npm install --prefix .venv/azurite azurite@3, with "
            "Node.js and npm from apt as root when missing); or run that command yourself.",
            pytrace=False,
        )
    return command


class Azurite:
    def __init__(self, folder: Path, *, pki: MailPki | None = None) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.pki = pki
        scheme = "https" if pki else "http"
        # The account in the path, as Azurite answers on an IP address (its "path style").
        self.endpoint = f"{scheme}://{HOST}:{self.port}/{ACCOUNT}"
        self.ca_file = folder / "ca.pem"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Azurite:
        command = [
            str(azurite_blob()), "--blobHost", HOST, "--blobPort", str(self.port),
            "--location", str(self.folder / "data"), "--silent", "--loose",
            # Never telemetry from a test; the client libraries may be newer than the emulator.
            "--disableTelemetry", "--skipApiVersionCheck",
        ]  # fmt: skip
        if self.pki is not None:
            (self.folder / "cert.pem").write_text(self.pki.server_cert_pem)
            (self.folder / "key.pem").write_text(self.pki.server_key_pem)
            self.ca_file.write_text(self.pki.ca_pem)
            command += ["--cert", str(self.folder / "cert.pem"), "--key",
                        str(self.folder / "key.pem"), "--oauth", "basic"]  # fmt: skip
        log = (self.folder / "azurite.log").open("wb")
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self._process.poll() is None:
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        log_text = (self.folder / "azurite.log").read_text(errors="replace")
        raise AssertionError(f"Azurite did not start:\n{log_text}")

    def service(self) -> BlobServiceClient:
        return BlobServiceClient(
            self.endpoint,
            credential={"account_name": ACCOUNT, "account_key": KEY},
            connection_verify=str(self.ca_file) if self.pki else True,
        )

    def create_container(self, name: str) -> None:
        self.service().create_container(name)

    def names(self, container: str) -> list[str]:
        return sorted(b.name for b in self.service().get_container_client(container).list_blobs())

    def put(self, container: str, name: str, data: bytes) -> None:
        self.service().get_blob_client(container, name).upload_blob(data)

    def get(self, container: str, name: str) -> bytes:
        return self.service().get_blob_client(container, name).download_blob().readall()

    def sas(self, container: str, key: str = KEY) -> str:
        """A container SAS for an hour with only what a schedule needs, as the docs say (read,
        write, delete, list: ``sp=rwdl``), signed with ``key``."""
        permission = ContainerSasPermissions(read=True, write=True, delete=True, list=True)
        return generate_container_sas(
            ACCOUNT, container, account_key=key, permission=permission,
            expiry=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )  # fmt: skip

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)


def fake_az_cli(folder: Path) -> Path:
    """An ``az`` in ``folder`` that answers ``az account get-access-token`` as the Azure CLI of a
    logged-on user does: a token for Azure Storage, valid for an hour (unsigned, which Azurite's
    basic OAuth does not check). Put ``folder`` on PATH."""
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    script = folder / "az"
    folder.mkdir(parents=True, exist_ok=True)
    script.write_text(
        f"#!{sys.executable}\nimport base64, json, time\nTENANT = {tenant!r}\n{_TOKEN_SCRIPT}"
    )
    script.chmod(0o755)
    return script


_TOKEN_SCRIPT = """
def part(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

now = int(time.time())
claims = {"aud": "https://storage.azure.com", "iss": f"https://sts.windows.net/{TENANT}/",
          "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "tid": TENANT,
          "oid": "9f2b3c4d-0000-4000-8000-000000000001"}
token = f'{part({"alg": "none", "typ": "JWT"})}.{part(claims)}.unsigned'
print(json.dumps({"accessToken": token, "expires_on": now + 3600, "tenant": TENANT,
                  "tokenType": "Bearer", "subscription": "00000000-0000-0000-0000-000000000000",
                  "expiresOn": time.strftime("%Y-%m-%d %H:%M:%S.000000",
                                             time.localtime(now + 3600))}))
"""

"""A real S3-compatible server on loopback for the tests: moto's standalone server
(``moto_server``, installed with the test dependencies) in a process of its own.

    with S3Server() as s3:
        s3.create_bucket("backups")
        ... {"endpoint": s3.endpoint, "accessKeyId": "testing", "secretAccessKey": "testing"}
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx
import obstore
from obstore.store import S3Store

from support.server_process import free_port


class S3Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> S3Server:
        command = shutil.which("moto_server", path=str(Path(sys.executable).parent))
        if command is None:
            raise AssertionError("moto_server is missing: `make test` installs moto[server]")
        self._process = subprocess.Popen(
            [command, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.endpoint, timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the S3 server did not start")

    def create_bucket(self, name: str) -> None:
        assert httpx.put(f"{self.endpoint}/{name}").status_code == 200

    def keys(self, bucket: str) -> list[str]:
        answer = httpx.get(f"{self.endpoint}/{bucket}?list-type=2")
        return sorted(part.split("</Key>")[0] for part in answer.text.split("<Key>")[1:])

    def put(self, bucket: str, key: str, data: bytes) -> None:
        assert httpx.put(f"{self.endpoint}/{bucket}/{key}", content=data).status_code == 200

    def get(self, bucket: str, key: str) -> bytes:
        """An object's bytes, read as a signed client does (moto refuses anonymous reads)."""
        store = S3Store(
            bucket,
            endpoint=self.endpoint,
            region="us-east-1",
            access_key_id="testing",
            secret_access_key="testing",
            virtual_hosted_style_request=False,
            client_options={"allow_http": True},
        )
        return bytes(obstore.get(store, key).bytes())

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)

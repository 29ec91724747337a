"""High-availability test harness: real ``openscc serve`` processes made master and shadow.

node = HaNode.start(path, role="master")       # a ready instance of that role
connect(master, shadow, check=1, delay=3)      # the shadow connects and syncs (READY)
wait_for(lambda: ..., timeout=20, what="...")   # poll until true or fail saying what
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from openscc.auth.users import ADMINISTRATOR
from support.server_process import ServerProcess

HA = "/api/v1/configuration/connector/ha"
CONFIG = "/api/v1/configuration"
REGION = "cf.eu10.hana.ondemand.com"
PASSWORDS = {"master": "Master-pa55word", "shadow": "Shadow-pa55word"}


@dataclass
class HaNode:
    server: ServerProcess
    password: str
    _http: httpx.Client | None = field(default=None, repr=False)

    @classmethod
    def start(
        cls, data_dir: Path, *, role: str, password: str | None = None, **options: Any
    ) -> HaNode:
        password = password or PASSWORDS[role]
        server = ServerProcess(
            data_dir, admin_password=password, env={"OPENSCC_HA_ROLE": role}, **options
        ).start()
        return cls(server, password)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.server.url,
                verify=ssl.create_default_context(cafile=str(self.server.certificate_path)),
                auth=(ADMINISTRATOR, self.password),
                timeout=30,
            )
        return self._http

    def role(self) -> Any:
        return self.http.get(f"{CONFIG}/connector/haRole").json()

    def shadow_state(self) -> str:
        return str(self.http.get(f"{HA}/shadow/state").json()["state"])

    def master_state(self) -> str:
        return str(self.http.get(f"{HA}/master/state").json()["state"])

    def subaccounts(self) -> list[str]:
        return [s["subaccount"] for s in self.http.get(f"{CONFIG}/subaccounts").json()]

    def add_subaccount(self, name: str) -> httpx.Response:
        return self.http.post(
            f"{CONFIG}/subaccounts",
            json={"regionHost": REGION, "subaccount": name, "cloudUser": "u", "cloudPassword": "p"},
        )

    def certificate(self) -> str:
        return self.server.certificate_path.read_text()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self.server.is_running():
            self.server.stop()


def wait_for(
    check: Callable[[], bool], *, timeout: float = 30, what: str = "the condition"
) -> float:
    """Poll ``check`` until it holds; the seconds it took (fails after ``timeout``)."""
    start = time.monotonic()
    last: BaseException | None = None
    while time.monotonic() - start < timeout:
        try:
            if check():
                return time.monotonic() - start
        except (httpx.HTTPError, KeyError, ValueError) as error:
            last = error
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s (last error: {last})")


def enable(master: HaNode, **settings: Any) -> None:
    response = master.http.put(f"{HA}/master/config", json={"haEnabled": True, **settings})
    assert response.status_code == 204, response.text


def configure(
    shadow: HaNode,
    master_host: str,
    master_port: int,
    *,
    own_host: str = "127.0.0.1",
    check: int = 1,
    delay: int = 3,
) -> None:
    response = shadow.http.put(
        f"{HA}/shadow/config",
        json={
            "masterHost": master_host,
            "masterPort": master_port,
            "ownHost": own_host,
            "checkIntervalInSeconds": check,
            "takeoverDelayInSeconds": delay,
            "connectTimeoutInMillis": 500,
            "requestTimeoutInMillis": 3000,
        },
    )
    assert response.status_code == 200, response.text


def connect(
    master: HaNode,
    shadow: HaNode,
    *,
    master_host: str = "127.0.0.1",
    master_port: int | None = None,
    own_host: str = "127.0.0.1",
    check: int = 1,
    delay: int = 3,
    timeout: float = 60,
) -> None:
    """Enable HA on the master, point the shadow at it, CONNECT, and wait until both say so."""
    enable(master)
    configure(
        shadow,
        master_host,
        master_port or master.server.port,
        own_host=own_host,
        check=check,
        delay=delay,
    )
    response = shadow.http.post(
        f"{HA}/shadow/state",
        json={
            "op": "CONNECT",
            "user": ADMINISTRATOR,
            "password": master.password,
            "masterCertificate": master.certificate(),
        },
    )
    assert response.status_code == 204, response.text
    wait_for(
        lambda: shadow.shadow_state() == "READY" and master.master_state() == "CONNECTED",
        timeout=timeout,
        what="the shadow in sync (READY) and the master CONNECTED",
    )

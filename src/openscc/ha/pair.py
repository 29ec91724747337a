"""The pair: what a master and its shadow know of each other, kept by each of them.

Made when the shadow first connects with an administrator's user and password: from then on the
two authenticate each other with the pair's own credential (a random token, sealed at rest under
the instance's master key) over TLS verified against the peer's certificate, which each side
learned over the other's verified connection. It lives in the instance table: like the master
key, it belongs to this installation and is neither replicated nor in a backup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass, field, replace

from openscc.store import instance_values
from openscc.store.sealing import SecretSealer

_NAME = "ha_pair"
_SEALED_AS = ("haPair", "token")


@dataclass(frozen=True, kw_only=True, slots=True)
class Pair:
    token: str
    peer_instance: str
    peer_host: str
    peer_port: int
    # The peer's UI certificates (PEM) this side trusts for TLS: the one it uses, and a new one
    # it announced before a restart puts it into use.
    peer_certificates: tuple[str, ...] = field(default_factory=tuple)
    # Set on the side that took the master role over from the peer (a failover or a switch).
    took_over_from: str = ""
    # The shadow's check interval and takeover delay (seconds): a master that becomes the
    # shadow checks as its shadow did.
    check_interval: int = 30
    takeover_delay: int = 30

    def authenticates(self, presented: str) -> bool:
        return hmac.compare_digest(presented.encode(), self.token.encode())

    def with_certificate(self, pem: str) -> Pair:
        if pem in self.peer_certificates:
            return self
        return replace(self, peer_certificates=(*self.peer_certificates[-1:], pem))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def archive_password(token: str) -> str:
    """The password of the configuration snapshots the pair sends: from the token, never it."""
    return hashlib.sha256(b"openscc ha snapshot\0" + token.encode()).hexdigest()


def load(conn: sqlite3.Connection, sealer: SecretSealer) -> Pair | None:
    text = instance_values.read(conn, _NAME)
    if text is None:
        return None
    data = json.loads(text)
    token = sealer.unseal(*_SEALED_AS, base64.b64decode(data["token"]))["token"]
    return Pair(
        token=token,
        peer_instance=data["peerInstance"],
        peer_host=data["peerHost"],
        peer_port=int(data["peerPort"]),
        peer_certificates=tuple(data.get("peerCertificates", [])),
        took_over_from=data.get("tookOverFrom", ""),
        check_interval=int(data.get("checkInterval", 30)),
        takeover_delay=int(data.get("takeoverDelay", 30)),
    )


def save(conn: sqlite3.Connection, sealer: SecretSealer, pair: Pair) -> None:
    sealed = sealer.seal(*_SEALED_AS, {"token": pair.token})
    value = json.dumps(
        {
            "token": base64.b64encode(sealed).decode(),
            "peerInstance": pair.peer_instance,
            "peerHost": pair.peer_host,
            "peerPort": pair.peer_port,
            "peerCertificates": list(pair.peer_certificates),
            "tookOverFrom": pair.took_over_from,
            "checkInterval": pair.check_interval,
            "takeoverDelay": pair.takeover_delay,
        }
    )
    instance_values.write(conn, _NAME, value)


def forget(conn: sqlite3.Connection) -> None:
    """The pair is gone (a reset): and with it the shadow's link to its master."""
    instance_values.remove(conn, _NAME, _LINK)


# "on" while a shadow should stay connected to its master (a DISCONNECT turns it off).
_LINK = "ha_link"


def linked(conn: sqlite3.Connection) -> bool:
    return instance_values.read(conn, _LINK) == "on"


def set_link(conn: sqlite3.Connection, on: bool) -> None:
    instance_values.write(conn, _LINK, "on" if on else "off")


def drop_link(conn: sqlite3.Connection) -> None:
    instance_values.remove(conn, _LINK)

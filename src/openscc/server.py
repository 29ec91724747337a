"""Running the server: TLS, uvicorn, and restarting in place after a restore."""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives import serialization
from starlette.applications import Starlette
from starlette.types import ASGIApp

from openscc import kinds
from openscc.app import create_app
from openscc.backup.restore_apply import apply_pending_restore
from openscc.config import cipher_suites, log_settings
from openscc.config.connector_state import ha_role
from openscc.errors import ListenFailed
from openscc.fileio import write_atomically
from openscc.ha import settings as ha_settings
from openscc.ha.port import HaPortOnly
from openscc.http_edge import limited_protocol
from openscc.instance import Instance, open_instance
from openscc.layout import DataDir, remove_leftovers
from openscc.settings import Settings
from openscc.store.locks import ServerLock
from openscc.tls_edge import tls_protocol

logger = logging.getLogger("openscc.server")


@dataclass(frozen=True, slots=True)
class TlsFiles:
    certificate: Path
    key: Path
    key_password: str


def write_tls_files(instance: Instance) -> TlsFiles:
    """Write the UI certificate and its key (encrypted, mode 0600) for the TLS listener."""
    record = instance.store.get(kinds.UI_CERTIFICATE, kinds.SINGLETON_KEY, with_secret=True)
    if record is None or record.secret is None:
        raise RuntimeError("the instance has no UI certificate")
    layout = instance.layout
    layout.tls.mkdir(mode=0o700, exist_ok=True)
    # The key file is encrypted under a password derived from the master key, so a copy of the
    # tls/ folder alone does not give the key away.
    key_password = hmac.new(instance.sealer_key_for("tls"), b"ui-key", hashlib.sha256).hexdigest()
    key = serialization.load_pem_private_key(record.secret["privateKeyPem"].encode(), None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(key_password.encode()),
    )
    files = TlsFiles(layout.ui_certificate, layout.ui_key, key_password)
    write_atomically(files.certificate, record.body["certificatePem"].encode(), mode=0o600)
    write_atomically(files.key, encrypted, mode=0o600)
    return files


def open_app(
    settings: Settings,
    *,
    request_restart: Callable[[], None] = lambda: None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """What every start and every restart after a restore does: apply a committed restore, open
    the data directory, and build the app on it. (The tests' in-process servers restart this way
    too.) The app's lifespan, or ``app.state.services.close()``, closes what it opened."""
    if apply_pending_restore(settings):
        logger.info("applied the pending restore")
    if settings.data_dir.exists():
        remove_leftovers(DataDir(settings.data_dir.resolve()))
    return create_app(
        settings, instance=open_instance(settings), request_restart=request_restart, clock=clock
    )


class _Restartable:
    def __init__(self) -> None:
        self.server: uvicorn.Server | None = None
        self.restart_requested = False

    def request_restart(self) -> None:
        self.restart_requested = True
        if self.server is not None:
            self.server.should_exit = True


def _ha_listener(instance: Instance, host: str, ui_port: int) -> socket.socket | None:
    """The socket of the HA port, if this instance's role has one set apart from the UI port
    (a change applies at the next start, as in the product)."""
    store = instance.store
    role = ha_role(store)
    if role == "master":
        ha_port = ha_settings.master_settings(store).ha_port
    elif role == "shadow":
        ha_port = ha_settings.shadow_settings(store).ha_port
    else:
        return None
    if not ha_port or ha_port == ui_port:
        return None
    try:
        sock = listen(host, ha_port)
    except ListenFailed as error:
        logger.error("high availability: %s; the peer must use the UI port", error.message)
        return None
    logger.info("high availability: listening on port %d for the peer", ha_port)
    return sock


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced or opened; ListenFailed with
    the reason (a port in use, an address not on this host) if it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise ListenFailed(
            f"cannot listen on {host}:{port}: {error.strerror or error}; is another server "
            "running there? Choose another port with --port or in props.ini"
        ) from None
    return sock


def serve(settings: Settings) -> None:
    """Serve until stopped; a restore's restart re-opens the data directory on the same address.

    The port is bound once, before the data directory is opened: a port in use fails at once,
    and during a restart new connections wait in the socket's queue instead of being refused.
    The server lock is held from before that to the end: one server per data directory.
    """
    server_lock = ServerLock(settings.data_dir.resolve())
    try:
        listener = listen(settings.host, settings.port)
        try:
            _serve_on(listener, settings)
        finally:
            listener.close()
    finally:
        server_lock.release()


def _serve_on(listener: socket.socket, settings: Settings) -> None:
    while True:
        control = _Restartable()
        app = open_app(settings, request_restart=control.request_restart)
        instance: Instance = app.state.services.instance
        host = settings.host
        port = settings.port
        tls = write_tls_files(instance)
        # The HA port, when set apart from the UI port, serves the pair's protocol only.
        ha_listener = _ha_listener(instance, host, port)
        served: ASGIApp = app
        if ha_listener is not None:
            served = HaPortOnly(app, ha_listener.getsockname()[1])
        config = uvicorn.Config(
            served,
            host=host,
            port=port,
            ssl_certfile=str(tls.certificate),
            ssl_keyfile=str(tls.key),
            ssl_keyfile_password=tls.key_password,
            # Idle keep-alive clients must not hold a restart up for long; in-flight requests
            # get this long to finish.
            timeout_graceful_shutdown=2,
            log_level="info",
            server_header=False,
        )
        config.load()
        assert config.ssl is not None
        # TLS is the edge's: the listening socket stays plain, and each accepted connection is
        # counted, timed and given TLS there (openscc.tls_edge), then the HTTP limits apply
        # (openscc.http_edge; props.ini [http]).
        context, config.ssl = config.ssl, None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # The UI's cipher suites as configured (a change waits for this: the next start).
        offered = cipher_suites.configure(context, cipher_suites.stored_choice(instance.store))
        logger.info("TLS cipher suites offered: %s", ", ".join(offered))
        limits = instance.props.http
        # uvicorn calls it per accepted connection, as it would a protocol class.
        config.http_protocol_class = tls_protocol(  # type: ignore[assignment]
            limited_protocol(limits), context, limits
        )
        # uvicorn.Config has just set its own loggers' levels; the stored ones win.
        log_settings.apply_stored_levels(instance.store)
        server = uvicorn.Server(config)
        control.server = server
        logger.info("openscc serving https://%s:%d (data in %s)", host, port, instance.data_dir)
        # A copy of the listening socket: uvicorn closes it on the way out, the original stays.
        sockets = [listener.dup()] + ([] if ha_listener is None else [ha_listener])
        server.run(sockets=sockets)
        if not control.restart_requested:
            return
        logger.info("restarting after a restore")

"""The instance settings file ``props.ini``: where the server listens and where it writes."""

from __future__ import annotations

import configparser
import dataclasses
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openscc.fileio import write_atomically
from openscc.layout import DataDir
from openscc.settings import DEFAULT_HOST, DEFAULT_PORT

# The keys of [paths]: the only ones a restore resets and the move preflight looks at.
PATH_KEYS = ("audit_log_dir",)


@dataclass(frozen=True, kw_only=True, slots=True)
class HttpLimits:
    """The limits of the HTTP edge (``[http]``; openscc.http_edge and openscc.tls_edge)."""

    max_line_bytes: int = 16 * 1024
    max_head_bytes: int = 64 * 1024
    head_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 10.0
    min_body_bytes_per_second: int = 100
    handshake_timeout_seconds: float = 5.0
    max_connections: int = 1000
    max_connections_per_address: int = 100


_HTTP_LIMITS = tuple(field.name for field in dataclasses.fields(HttpLimits))


@dataclass(frozen=True, kw_only=True, slots=True)
class Props:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    audit_log_dir: str = ""  # empty: the data directory
    http: HttpLimits = dataclasses.field(default_factory=HttpLimits)
    # [ha]: a shadow's first CONNECT trusts the certificate the master presents (and pins it)
    # unless this requires masterCertificate with it (docs/high-availability.md, "Trust").
    require_master_certificate: bool = False

    def to_text(self) -> str:
        parser = configparser.ConfigParser()
        parser["server"] = {"host": self.host, "port": str(self.port)}
        parser["paths"] = {"audit_log_dir": self.audit_log_dir}
        parser["http"] = {name: _number(getattr(self.http, name)) for name in _HTTP_LIMITS}
        parser["ha"] = {"require_master_certificate": str(self.require_master_certificate).lower()}
        out = io.StringIO()
        out.write("# openscc instance settings; command-line flags override them.\n")
        parser.write(out)
        return out.getvalue()

    @classmethod
    def from_text(cls, text: str) -> Props:
        parser = configparser.ConfigParser()
        parser.read_string(text)
        port = parser.getint("server", "port", fallback=DEFAULT_PORT)
        if not 0 < port < 65536:
            raise ValueError(f"port {port} is out of range")
        default = HttpLimits()
        http = HttpLimits(
            **{name: _positive(parser, name, getattr(default, name)) for name in _HTTP_LIMITS}
        )
        return cls(
            host=parser.get("server", "host", fallback=DEFAULT_HOST),
            port=port,
            audit_log_dir=parser.get("paths", "audit_log_dir", fallback=""),
            http=http,
            require_master_certificate=_flag(parser, "ha", "require_master_certificate"),
        )

    def with_missing_paths_reset(self) -> Props:
        """Reset custom paths that do not exist or are not writable on this host."""
        path = self.audit_log_dir
        if path and not (Path(path).is_dir() and _is_writable(Path(path))):
            return dataclasses.replace(self, audit_log_dir="")
        return self


def _number(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _flag(parser: configparser.ConfigParser, section: str, option: str) -> bool:
    try:
        return parser.getboolean(section, option, fallback=False)
    except ValueError:
        raise ValueError(f"[{section}] {option} must be true or false") from None


def _positive(parser: configparser.ConfigParser, option: str, default: int | float) -> Any:
    """A positive number from ``[http]``, of the default's type."""
    kind = type(default)
    try:
        value = kind(parser.get("http", option, fallback=str(default)))
    except ValueError:
        raise ValueError(f"[http] {option} must be a number") from None
    if value <= 0:
        raise ValueError(f"[http] {option} must be positive")
    return value


def _is_writable(path: Path) -> bool:
    return os.access(path, os.W_OK | os.X_OK)


def load_props(data_dir: Path) -> Props:
    path = DataDir(data_dir).props
    if not path.exists():
        props = Props()
        write_atomically(path, props.to_text().encode())
        return props
    return Props.from_text(path.read_text())

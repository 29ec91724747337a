"""The move preflight: what a dry run warns of before an archive is restored, above all on
another host. Each warning has a stable ``code`` (for scripts) and a sentence (for people).

The checks are pure but for two inputs given to them: this host's names and address, and a
probe that asks whether an address answers (the archive's original instance still running is a
clone, which the product does not support)."""

from __future__ import annotations

import configparser
import contextlib
import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openscc import kinds
from openscc.config import certs
from openscc.props import PATH_KEYS
from openscc.store.records import EntityRecord

UI_CERTIFICATE_HOST_MISMATCH = "UI_CERTIFICATE_HOST_MISMATCH"
CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"
CERTIFICATE_EXPIRES_SOON = "CERTIFICATE_EXPIRES_SOON"
PROPS_INI_DIFFERS = "PROPS_INI_DIFFERS"
CUSTOM_PATH_MISSING = "CUSTOM_PATH_MISSING"
SOURCE_STILL_ANSWERS = "SOURCE_STILL_ANSWERS"
ARCHIVE_OLD = "ARCHIVE_OLD"
EXPIRY_WARNING_DAYS = 30
_PEM = "-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True, slots=True)
class Here:
    """What the restoring host is."""

    names: frozenset[str]  # host names and addresses this host answers to (lower case)
    address: tuple[str, int]  # this server's own host and port
    now: dt.datetime
    old_after_days: int = 30


# What to do about each warning, for the person deciding whether to restore (the web page's
# preview and `openscc backup restore` show it under the warning).
ADVICE = {
    UI_CERTIFICATE_HOST_MISMATCH: "After the restore, replace the UI certificate with one issued "
    "for this host, or reach the connector by a name the certificate covers.",
    CERTIFICATE_EXPIRED: "Replace the certificate after the restore: what depends on it fails "
    "until then.",
    CERTIFICATE_EXPIRES_SOON: "Renew the certificate soon after the restore.",
    PROPS_INI_DIFFERS: "After the restore, compare props.ini.restored with props.ini and carry "
    "over what this host needs.",
    CUSTOM_PATH_MISSING: "Create that folder on this host, or change the path in props.ini after "
    "the restore.",
    SOURCE_STILL_ANSWERS: "Stop the original instance before you restore here: two connectors "
    "with one configuration serve the same subaccounts.",
    ARCHIVE_OLD: "Check that no newer backup exists: what changed since it was made is lost.",
}


def warning(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message, "advice": ADVICE[code]}


def warnings(
    records: Iterable[EntityRecord],
    archived_props: bytes | None,
    current_props: bytes | None,
    created_at_ms: int,
    same_instance: bool,
    here: Here,
    answers: Callable[[str, int], bool],
) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for record in records:
        for pem in _certificates(record.body):
            found += _certificate_warnings(record, pem, here)
    props = _parse(archived_props)
    if archived_props is not None and archived_props != current_props:
        found.append(
            warning(
                PROPS_INI_DIFFERS,
                "props.ini in the archive differs from this one: it would be written next to it "
                "as props.ini.restored, not applied",
            )
        )
    for name in PATH_KEYS:  # only the keys openscc knows: no file-existence oracle
        value = props.get("paths", name, fallback="")
        if value.strip() and not Path(value.strip()).exists():
            found.append(
                warning(
                    CUSTOM_PATH_MISSING,
                    f"the archive's props.ini sets {name} to {value.strip()}, which does not "
                    "exist on this host",
                )
            )
    source = _address(props)
    foreign = not same_instance and source is not None and source != here.address
    if foreign and source is not None and answers(*source):
        found.append(
            warning(
                SOURCE_STILL_ANSWERS,
                f"the instance the archive comes from still answers at {source[0]}:"
                f"{source[1]}: running two instances with one configuration is not "
                "supported; stop it before restoring here",
            )
        )
    age = here.now - dt.datetime.fromtimestamp(created_at_ms / 1000, dt.UTC)
    if age > dt.timedelta(days=here.old_after_days):
        found.append(
            warning(
                ARCHIVE_OLD,
                f"the archive is {age.days} days old: changes made since then would be lost",
            )
        )
    return found


def _certificates(body: Any) -> Iterable[str]:
    """Every PEM certificate in a body, however deep."""
    if isinstance(body, str) and _PEM in body:
        yield body
    elif isinstance(body, dict):
        for value in body.values():
            yield from _certificates(value)
    elif isinstance(body, list):
        for value in body:
            yield from _certificates(value)


def _certificate_warnings(record: EntityRecord, pem: str, here: Here) -> list[dict[str, str]]:
    try:
        cert = certs.load_certificate(pem[pem.index(_PEM) :])
    except ValueError:
        return []
    what = f"the {record.kind} certificate {record.key!r} ({certs.dn_text(cert.subject)})"
    found = []
    expires = cert.not_valid_after_utc
    if expires <= here.now:
        found.append(
            warning(CERTIFICATE_EXPIRED, f"{what} expired on {expires:%Y-%m-%d}; replace it")
        )
    elif expires - here.now <= dt.timedelta(days=EXPIRY_WARNING_DAYS):
        found.append(
            warning(
                CERTIFICATE_EXPIRES_SOON,
                f"{what} expires on {expires:%Y-%m-%d}, within {EXPIRY_WARNING_DAYS} days",
            )
        )
    if record.kind == kinds.UI_CERTIFICATE and not (certs.host_names(cert) & here.names):
        shown = ", ".join(sorted(certs.host_names(cert))) or "none"
        found.append(
            warning(
                UI_CERTIFICATE_HOST_MISMATCH,
                f"the UI certificate is issued for {shown}, not for this host "
                f"({', '.join(sorted(here.names))}): browsers and clients will refuse it until "
                "it is replaced",
            )
        )
    return found


def _parse(props: bytes | None) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    if props is not None:
        with contextlib.suppress(configparser.Error):  # unreadable: no settings to check
            parser.read_string(props.decode("utf-8", "replace"))
    return parser


_HOST_NAME = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+")


def _address(props: configparser.ConfigParser) -> tuple[str, int] | None:
    """The archive's own address: a host name or an IP address, and a port; anything else
    (a path, a query, a fragment smuggled into the host) is no address to ask."""
    try:
        host = props.get("server", "host").strip()
        port = props.getint("server", "port")
    except (configparser.Error, ValueError):
        return None
    if not 0 < port < 65536:
        return None
    try:
        if ipaddress.ip_address(host).is_unspecified:
            return None  # 0.0.0.0: no address to ask
        return host, port
    except ValueError:
        pass
    return (host, port) if _HOST_NAME.fullmatch(host) else None

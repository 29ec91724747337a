"""The cipher suites of the administration listener: documented (IANA) names, OpenSSL underneath.

The product lists and takes the JVM's names (``TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256``); Python's
ssl module speaks OpenSSL's (``ECDHE-RSA-AES128-GCM-SHA256``). Both name the same IANA code
point, so the table below maps one to the other by the code OpenSSL reports for each suite.

What is *available* is what this Python and OpenSSL offer by default to a server (Python's
default cipher string: forward secrecy, AEAD or SHA-2, no anonymous, DSS or RC4 suites) and that
the table names. The choice is stored as IANA names; ``configure`` applies it to the listener's
SSL context at every start.

TLS 1.3 suites cannot be chosen one by one: Python's ssl module has no call for OpenSSL's TLS 1.3
suite list (``set_ciphers`` governs TLS 1.2 and below). So a choice takes the TLS 1.3 suites all
together (TLS 1.3 stays on) or none of them (the listener speaks TLS 1.2 only); a choice of some
of them is refused rather than silently widened.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from openscc import kinds
from openscc.errors import InvalidRequest
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

KIND = kinds.UI_CIPHER_SUITES
logger = logging.getLogger("openscc.server")

# IANA code point -> IANA name, for every suite Python's default server context may offer.
_IANA_NAMES = {
    0x1301: "TLS_AES_128_GCM_SHA256",
    0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256",
    0x1304: "TLS_AES_128_CCM_SHA256",
    0x1305: "TLS_AES_128_CCM_8_SHA256",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
}


@dataclass(frozen=True, slots=True)
class Suite:
    """One suite as both worlds name it."""

    iana: str
    openssl: str
    tls13: bool


@cache
def available() -> tuple[Suite, ...]:
    """The suites this build offers a server by default, in OpenSSL's order of preference."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    suites = []
    for cipher in context.get_ciphers():
        name = _IANA_NAMES.get(int(cipher["id"]) & 0xFFFF)
        if name is not None:
            suites.append(Suite(name, str(cipher["name"]), cipher["protocol"] == "TLSv1.3"))
    return tuple(suites)


def available_names() -> list[str]:
    return [suite.iana for suite in available()]


def parse_choice(value: Any) -> list[str]:
    """The suites a POST enables, as IANA names in the order given; INVALID_REQUEST otherwise."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidRequest("the request body must be a JSON array of cipher suite names")
    chosen = list(dict.fromkeys(value))  # duplicates count once
    if not chosen:
        raise InvalidRequest("at least one cipher suite must be enabled")
    by_name = {suite.iana: suite for suite in available()}
    unknown = [name for name in chosen if name not in by_name]
    if unknown:
        shown = ", ".join(repr(name[:100]) for name in unknown[:10])
        raise InvalidRequest(
            f"not an available cipher suite (names are case-sensitive): {shown}; "
            "GET /api/v1/configuration/availableCipherSuites lists them"
        )
    tls13 = {suite.iana for suite in available() if suite.tls13}
    chosen13 = tls13.intersection(chosen)
    if chosen13 and chosen13 != tls13:
        raise InvalidRequest(
            "TLS 1.3 cipher suites can only be enabled all together or not at all (the "
            f"server's TLS library cannot choose among them): give all of {', '.join(sorted(tls13))}"
            " or none"
        )
    return chosen


def stored_choice(store: EntityStore) -> list[str] | None:
    """The enabled suites as chosen, or None for the default (every available suite)."""
    record = store.get(KIND, kinds.SINGLETON_KEY)
    return None if record is None else list(record.body["cipherSuites"])


def save_choice(store: EntityStore, names: list[str]) -> None:
    store.put(
        EntityRecord(kind=KIND, key=kinds.SINGLETON_KEY, parent=None, body={"cipherSuites": names})
    )


def enabled_names(store: EntityStore) -> list[str]:
    choice = stored_choice(store)
    return available_names() if choice is None else choice


def configure(context: ssl.SSLContext, choice: Iterable[str] | None) -> list[str]:
    """Make ``context`` offer exactly the chosen suites (every available one for None); returns
    the IANA names it offers. Names this build lacks (a configuration restored from another
    host) are skipped with a warning; if none is left, the default applies, so a server can
    always be reached to fix it."""
    suites = available()
    if choice is not None:
        by_name = {suite.iana: suite for suite in suites}
        wanted = list(choice)
        missing = [name for name in wanted if name not in by_name]
        if missing:
            logger.warning("cipher suites not available here are left out: %s", ", ".join(missing))
        picked = tuple(by_name[name] for name in wanted if name in by_name)
        if not picked:
            logger.warning("none of the chosen cipher suites is available; the default applies")
        else:
            suites = picked
    tls12 = [suite.openssl for suite in suites if not suite.tls13]
    if tls12:
        context.set_ciphers(":".join(tls12))
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    if not any(suite.tls13 for suite in suites):
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return [suite.iana for suite in suites]

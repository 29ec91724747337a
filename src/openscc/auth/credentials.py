"""What a logon may carry: user names and passwords with a documented maximum length.

A credential is checked here before any lookup, hash or log line, so an over-long or malformed
one costs nothing and is never written anywhere.
"""

from __future__ import annotations

import base64
import binascii
import re

from openscc.errors import NotAuthenticated

MAX_USER_NAME_CHARS = 128
MAX_PASSWORD_CHARS = 1024
# Base64 of "name:password" at their maximum lengths (4 UTF-8 bytes per character at most).
_MAX_BASIC_TOKEN_CHARS = 4 * ((4 * (MAX_USER_NAME_CHARS + 1 + MAX_PASSWORD_CHARS) + 2) // 3)
# Letters and digits of any script, and the punctuation directory user names use
# (first.last, user@domain, DOMAIN\user, "First Last").
_LOGON_NAME = re.compile(r"[\w.@+\-\\ ]+")
NAME_RULE = (
    f"user names are 1-{MAX_USER_NAME_CHARS} letters, digits, spaces or '.', '_', '@', '+', "
    "'-', '\\'"
)
PASSWORD_RULE = f"passwords are 1-{MAX_PASSWORD_CHARS} characters"


def check_logon(name: str, password: str) -> None:
    """Raise NotAuthenticated for a name or password no user can have (nothing is looked up)."""
    if not 0 < len(name) <= MAX_USER_NAME_CHARS or not _LOGON_NAME.fullmatch(name):
        raise NotAuthenticated(f"invalid credentials: {NAME_RULE}")
    if not 0 < len(password) <= MAX_PASSWORD_CHARS:
        raise NotAuthenticated(f"invalid credentials: {PASSWORD_RULE}")


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(name, password) of an ``Authorization: Basic`` header, checked; None for no such header."""
    if not header or header[:6].lower() != "basic ":
        return None
    token = header[6:].strip()
    if len(token) > _MAX_BASIC_TOKEN_CHARS:
        raise NotAuthenticated(f"invalid credentials: {NAME_RULE}; {PASSWORD_RULE}")
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("malformed basic authentication header") from None
    name, sep, password = decoded.partition(":")
    if not sep:
        raise NotAuthenticated("malformed basic authentication header")
    check_logon(name, password)
    return name, password

"""The search rules of an LDAP server configuration: the ``config`` text of the API.

The Cloud Connector takes Apache Tomcat's ``JNDIRealm`` attributes here
(``roleBase="ou=groups,dc=scc" roleName="cn" roleSearch="(uniqueMember={0})" ...``; SAP's page
refers to Tomcat's realm how-to). openscc reads the attributes that decide whom a logon finds and
which groups it reads, with Tomcat's meaning, and refuses any other attribute by name: an
attribute ignored in silence could change who gets which role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ldap3.core.exceptions import LDAPException
from ldap3.operation.search import parse_filter
from ldap3.utils.dn import parse_dn

from openscc.errors import InvalidRequest

MAX_RULES_CHARS = 8192
# Tomcat's defaults: 5 s to connect, 5 s for an answer.
DEFAULT_TIMEOUT_MS = 5000
MAX_TIMEOUT_MS = 60_000
_ATTRIBUTE = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*')
_BOOLEANS = ("roleSubtree", "roleNested", "roleSearchAsUser", "userSubtree", "userSearchAsUser")
_TEXTS = (
    "roleBase",
    "roleName",
    "roleSearch",
    "userBase",
    "userSearch",
    "userPattern",
    "userRoleName",
    "userRoleAttribute",
)
_NUMBERS = ("connectionTimeout", "readTimeout")
SUPPORTED = (*_TEXTS, *_BOOLEANS, *_NUMBERS, "useStartTls")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$|^\d+(\.\d+)+$")


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchRules:
    """How a logon finds the user's entry and groups (Tomcat's names and meaning)."""

    user_pattern: str | None = None  # "uid={0},ou=people,dc=x": the DN, without a search
    user_base: str = ""
    user_search: str | None = None  # "(uid={0})", searched under user_base
    user_subtree: bool = False
    user_search_as_user: bool = False  # search bound as the user (the name as given)
    user_role_name: str | None = None  # an attribute of the user's entry naming roles
    user_role_attribute: str | None = None  # its value is {2} in role_search
    role_base: str = ""
    role_name: str | None = None  # the attribute of a group entry that names the role
    role_search: str | None = None  # "(uniqueMember={0})": {0} DN, {1} name, {2} attribute
    role_subtree: bool = False
    role_nested: bool = False  # groups that are members of found groups count too
    role_search_as_user: bool = False
    use_start_tls: bool = False
    connection_timeout_ms: int = DEFAULT_TIMEOUT_MS
    read_timeout_ms: int = DEFAULT_TIMEOUT_MS


def parse_rules(text: str) -> SearchRules:
    """The rules of ``text`` (``name="value"`` pairs); 400 naming what is wrong."""
    if len(text) > MAX_RULES_CHARS:
        raise InvalidRequest(f"config is longer than {MAX_RULES_CHARS} characters")
    values: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _ATTRIBUTE.match(text, position)
        if match is None:
            if not text[position:].strip():
                break
            raise InvalidRequest(
                f'config must be attributes of the form name="value"; cannot read '
                f"{text[position : position + 40]!r}"
            )
        name, value = match.group(1), match.group(2)
        if name not in SUPPORTED:
            raise InvalidRequest(
                f"config attribute {name} is not supported; openscc reads {', '.join(SUPPORTED)}"
            )
        if name in values:
            raise InvalidRequest(f"config attribute {name} is given twice")
        values[name] = value
        position = match.end()
    rules = SearchRules(
        user_pattern=values.get("userPattern") or None,
        user_base=_dn(values.get("userBase", ""), "userBase"),
        user_search=values.get("userSearch") or None,
        user_subtree=_flag(values, "userSubtree"),
        user_search_as_user=_flag(values, "userSearchAsUser"),
        user_role_name=_attribute(values.get("userRoleName"), "userRoleName"),
        user_role_attribute=_attribute(values.get("userRoleAttribute"), "userRoleAttribute"),
        role_base=_dn(values.get("roleBase", ""), "roleBase"),
        role_name=_attribute(values.get("roleName"), "roleName"),
        role_search=values.get("roleSearch") or None,
        role_subtree=_flag(values, "roleSubtree"),
        role_nested=_flag(values, "roleNested"),
        role_search_as_user=_flag(values, "roleSearchAsUser"),
        use_start_tls=_flag(values, "useStartTls"),
        connection_timeout_ms=_timeout(values, "connectionTimeout"),
        read_timeout_ms=_timeout(values, "readTimeout"),
    )
    _check_complete(rules)
    return rules


def _check_complete(rules: SearchRules) -> None:
    if (rules.user_pattern is None) == (rules.user_search is None):
        raise InvalidRequest("config needs exactly one of userPattern and userSearch")
    if rules.user_pattern is not None:
        if "{0}" not in rules.user_pattern:
            raise InvalidRequest("config userPattern must contain {0} (the user name)")
        _dn(rules.user_pattern.replace("{0}", "x"), "userPattern")
    if rules.user_search is not None:
        if "{0}" not in rules.user_search:
            raise InvalidRequest("config userSearch must contain {0} (the user name)")
        _filter(rules.user_search, "userSearch")
    if rules.role_search is not None:
        if rules.role_name is None:
            raise InvalidRequest("config roleSearch needs roleName (the group's role attribute)")
        _filter(rules.role_search, "roleSearch")
    if rules.role_search is None and rules.user_role_name is None:
        raise InvalidRequest("config finds no roles: give roleSearch and roleName, or userRoleName")
    if rules.role_nested and rules.role_search is None:
        raise InvalidRequest("config roleNested needs roleSearch")


def _flag(values: dict[str, str], name: str) -> bool:
    value = values.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise InvalidRequest(f'config {name} must be "true" or "false"')
    return value == "true"


def _timeout(values: dict[str, str], name: str) -> int:
    text = values.get(name, str(DEFAULT_TIMEOUT_MS)).strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_TIMEOUT_MS:
        raise InvalidRequest(f"config {name} must be 1 to {MAX_TIMEOUT_MS} milliseconds")
    return int(text)


def _attribute(value: str | None, name: str) -> str | None:
    if not value:
        return None
    if not _ATTRIBUTE_NAME.match(value.strip()):
        raise InvalidRequest(f"config {name} must be an attribute name")
    return value.strip()


def _dn(value: str, name: str) -> str:
    if value.strip():
        try:
            parse_dn(value)
        except (LDAPException, ValueError, IndexError):
            raise InvalidRequest(f"config {name} is not a valid DN") from None
    return value


def _filter(value: str, name: str) -> None:
    sample = value.replace("{0}", "x").replace("{1}", "x").replace("{2}", "x")
    try:
        parse_filter(sample, None, True, True, None, False)  # type: ignore[no-untyped-call]
    except (LDAPException, ValueError, IndexError):
        raise InvalidRequest(f"config {name} is not a valid LDAP filter") from None

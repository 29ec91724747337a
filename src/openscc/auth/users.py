"""Local users: name, role and password hash, stored as ``user`` entities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openscc import kinds
from openscc.auth.credentials import MAX_PASSWORD_CHARS
from openscc.auth.passwords import Passwords
from openscc.auth.policy import POLICY, check_new_password
from openscc.auth.roles import ROLE_ALIASES, ROLE_NAMES, ROLES, canonical_role
from openscc.config.values import Choice, Fields, Text
from openscc.errors import Conflict, InvalidRequest, NotFound
from openscc.store.entities import EntityStore
from openscc.store.records import EntityRecord

ADMINISTRATOR = "Administrator"  # the user a fresh instance has
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, kw_only=True, slots=True)
class User:
    name: str
    role: str  # a directory user's most powerful role (the order of roles.ROLE_NAMES)
    initial_password: bool
    # A directory (LDAP) user holds every role their groups grant; a local user has ``role``.
    directory_roles: frozenset[str] = frozenset()

    @property
    def roles(self) -> frozenset[str]:
        return self.directory_roles or frozenset({self.role})

    @property
    def from_directory(self) -> bool:
        return bool(self.directory_roles)


def check_user_name(name: str) -> None:
    """Raise InvalidRequest unless ``name`` may name a local user."""
    if not _NAME.match(name):
        raise InvalidRequest(
            "user names are 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )


# The API's bodies: a new user, and a change of one (its role, its password or both).
_ROLE = Choice(name="role", required=True, values=(*ROLE_NAMES, *ROLE_ALIASES))
_PASSWORD = Text(name="password", required=True, secret=True, max_length=MAX_PASSWORD_CHARS,
                 description=POLICY)  # fmt: skip
NEW_USER_FIELDS = Fields(Text(name="user", required=True, max_length=64), _ROLE, _PASSWORD)
USER_CHANGE_FIELDS = Fields(_ROLE, _PASSWORD).optional()


def read_new_user(data: dict[str, Any]) -> tuple[str, str, str]:
    """A new user's name, role and password, checked; the password against the policy before
    any hash, so that a refused one costs nothing."""
    values = NEW_USER_FIELDS.read(data)
    name = values["user"]
    check_user_name(name)
    check_new_password(name, values["password"])
    return name, canonical_role(values["role"]), values["password"]


def read_user_change(name: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The new role and the new password of user ``name``, either None if not given."""
    values = USER_CHANGE_FIELDS.given(data)
    if not values or set(data) - {field.name for field in USER_CHANGE_FIELDS}:
        raise InvalidRequest("give role, password or both")
    role, password = values.get("role"), values.get("password")
    if password is not None:
        check_new_password(name, password)
    return (None if role is None else canonical_role(role)), password


def _user(record: EntityRecord) -> User:
    return User(
        name=record.key,
        role=record.body["role"],
        initial_password=bool(record.body.get("initialPassword", False)),
    )


class UserDirectory:
    def __init__(self, store: EntityStore, passwords: Passwords) -> None:
        self._store = store
        self._passwords = passwords

    def find(self, name: str) -> User | None:
        record = self._store.get(kinds.USER, name)
        return None if record is None else _user(record)

    def all(self) -> list[User]:
        return [_user(r) for r in self._store.children(kinds.USER, None)]

    def find_with_hash(self, name: str) -> tuple[User, str] | None:
        """The user and their stored password hash (never leaves the server)."""
        record = self._store.get(kinds.USER, name, with_secret=True)
        if record is None or record.secret is None:
            return None
        return _user(record), record.secret["passwordHash"]

    def add(self, name: str, role: str, password: str, *, initial_password: bool = False) -> User:
        check_user_name(name)
        if not initial_password:
            check_new_password(name, password)
        role = canonical_role(role)
        if self._store.exists(kinds.USER, name):
            raise Conflict(f"user {name} already exists")
        self._write(name, role, password, initial_password)
        return User(name=name, role=role, initial_password=initial_password)

    def add_hashed(self, name: str, role: str, password_hash: str) -> User:
        """Add a user whose password already passed the policy and was hashed elsewhere (the
        API hashes in its bounded hash slots, then writes in the store thread)."""
        check_user_name(name)
        role = canonical_role(role)
        if self._store.exists(kinds.USER, name):
            raise Conflict(f"user {name} already exists")
        self._put(name, role, password_hash, False)
        return User(name=name, role=role, initial_password=False)

    def set_role(self, name: str, role: str) -> None:
        """Give the user another role; the last administrator keeps theirs."""
        record = self._store.get(kinds.USER, name)
        if record is None:
            raise NotFound(f"user {name} does not exist")
        role = canonical_role(role)
        admins = sum(u.role == "sccadmin" for u in self.all())
        if record.body["role"] == "sccadmin" and role != "sccadmin" and admins == 1:
            raise Conflict("the last administrator keeps the Administrator role")
        self._store.update_body(kinds.USER, name, {**record.body, "role": role})

    def set_password(self, name: str, password: str, *, old: str | None = None) -> None:
        """Set a new password under the policy; without ``old``, the new one is compared with
        the stored hash (one hash check) so that it still differs from the current one."""
        self.set_password_hash(name, self.checked_new_password_hash(name, password, old=old))

    def checked_new_password_hash(self, name: str, password: str, *, old: str | None = None) -> str:
        """The hash of ``password`` as the user's new password, once it passed the policy (and,
        without ``old``, differs from the stored one); nothing is written."""
        known = self.find_with_hash(name)
        if known is None:
            raise NotFound(f"user {name} does not exist")
        check_new_password(name, password, old=old)
        if old is None and self._passwords.verify(known[1], password):
            raise InvalidRequest("the new password must differ from the old one")
        return self._passwords.hash(password)

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Store a hash made elsewhere for a password that already passed the policy (the API
        hashes in its bounded hash slots, then writes in the store thread)."""
        user = self.find(name)
        if user is None:
            raise NotFound(f"user {name} does not exist")
        self._put(name, user.role, password_hash, False)

    def rename(self, name: str, new_name: str) -> User:
        """Give the user ``name`` the name ``new_name``, keeping their role and password hash."""
        check_user_name(new_name)
        record = self._store.get(kinds.USER, name, with_secret=True)
        if record is None:
            raise NotFound(f"user {name} does not exist")
        if new_name == name:
            return _user(record)
        if self._store.exists(kinds.USER, new_name):
            raise Conflict(f"user {new_name} already exists")
        renamed = EntityRecord(
            kind=kinds.USER, key=new_name, parent=None, body=record.body, secret=record.secret
        )
        self._store.delete(kinds.USER, name)
        self._store.put(renamed)
        return _user(renamed)

    def remove(self, name: str) -> None:
        user = self.find(name)
        if user is None:
            raise NotFound(f"user {name} does not exist")
        if user.role == "sccadmin" and sum(u.role == "sccadmin" for u in self.all()) == 1:
            raise Conflict("the last administrator cannot be removed")
        self._store.delete(kinds.USER, name)

    def _write(self, name: str, role: str, password: str, initial_password: bool) -> None:
        self._put(name, role, self._passwords.hash(password), initial_password)

    def _put(self, name: str, role: str, password_hash: str, initial_password: bool) -> None:
        body = {"role": role, "initialPassword": initial_password}
        self._store.put(
            EntityRecord(
                kind=kinds.USER,
                key=name,
                parent=None,
                body=body,
                secret={"passwordHash": password_hash},
            )
        )


def check_archived(record: EntityRecord) -> None:
    """An archive's user, before a restore stores it: a known role and an Argon2 hash."""
    if record.body.get("role") not in ROLES:
        raise ValueError("unknown role")
    secret = record.secret if isinstance(record.secret, dict) else {}
    if not str(secret.get("passwordHash", "")).startswith("$argon2"):
        raise ValueError("missing password hash")

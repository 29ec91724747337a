"""In-process helpers: TestClients on https://testserver, users of each role, shared constants."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.auth.policy import INITIAL_PASSWORD
from openscc.auth.users import ADMINISTRATOR
from openscc.instance import Instance

BASE_URL = "https://testserver"
ADMIN_PASSWORD = "Adm1n-Pa55word!"
USER_PASSWORD = "Us3r-Pa55word!"

# The make_user fixture: make_user(role, *, name=None, password=USER_PASSWORD) -> (name, password)
UserFactory = Callable[..., tuple[str, str]]

__all__ = [
    "ADMINISTRATOR",
    "ADMIN_PASSWORD",
    "BASE_URL",
    "INITIAL_PASSWORD",
    "USER_PASSWORD",
    "UserFactory",
    "add_user",
    "instance_of",
    "make_client",
]


def instance_of(app: Starlette) -> Instance:
    """The instance an app serves."""
    instance: Instance = app.state.services.instance
    return instance


def make_client(
    app: Starlette, *, auth: tuple[str, str] | None = None, **options: object
) -> TestClient:
    """A TestClient on https://testserver (so the Secure session cookie is sent back)."""
    client = TestClient(app, base_url=BASE_URL, **options)  # type: ignore[arg-type]
    if auth is not None:
        client.auth = auth
    return client


_names = count(1)


def add_user(
    app: Starlette, role: str, *, name: str | None = None, password: str = USER_PASSWORD
) -> tuple[str, str]:
    """Add a local user with ``role`` (an alias such as "admin" works too); (name, password)."""
    name = name or f"{role}-user-{next(_names)}"
    instance = instance_of(app)
    with instance.store.transaction():
        instance.users.add(name, role, password)
    return name, password


def password_matches(instance: Instance, name: str, password: str) -> bool:
    """Whether ``password`` is the stored password of the user ``name``."""
    known = instance.users.find_with_hash(name)
    return known is not None and instance.passwords.verify(known[1], password)
